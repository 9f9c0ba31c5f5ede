package sdpo4j.env;

import java.util.List;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

/** Environments by the name configs use. */
public final class Environments {
    public static final List<String> NAMES = List.of("arithmetic", "countdown", "multiple-choice", "sequence-quality", "python-tests");

    private Environments() {}

    public static Environment create(String name, ArithmeticConfig arithmetic) {
        return switch (name) {
            case "arithmetic" -> new Arithmetic(arithmetic);
            case "countdown" -> new sdpo4j.env.countdown.Countdown(0);
            case "multiple-choice" -> new sdpo4j.env.choice.MultipleChoice();
            case "sequence-quality" -> new sdpo4j.env.sequence.SequenceQuality(sdpo4j.env.sequence.WorldConfig.DEFAULT,
                    sdpo4j.env.sequence.SequenceQuality.Oracle.CONTINUOUS, 0, 0.7);
            case "python-tests" -> {
                String reason = sdpo4j.env.python.Sandbox.unavailableReason("/usr/bin/python3");
                if (reason != null) {
                    throw new ConfigException("env", name, "an environment this machine can run: " + reason);
                }
                yield new sdpo4j.env.python.PythonTests(new sdpo4j.env.python.Sandbox("/usr/bin/python3"),
                        sdpo4j.env.python.Sandbox.Limits.DEFAULT);
            }
            default -> throw new ConfigException("env", name, "one of " + NAMES);
        };
    }
}
