package sdpo4j.env;

import java.util.List;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

/** Environments by the name configs use. */
public final class Environments {
    /** Names that exist today; python-tests is issue 5's rest. */
    public static final List<String> NAMES = List.of("arithmetic", "countdown", "multiple-choice", "sequence-quality");

    private Environments() {}

    public static Environment create(String name, ArithmeticConfig arithmetic) {
        return switch (name) {
            case "arithmetic" -> new Arithmetic(arithmetic);
            case "countdown" -> new sdpo4j.env.countdown.Countdown(0);
            case "multiple-choice" -> new sdpo4j.env.choice.MultipleChoice();
            case "sequence-quality" -> new sdpo4j.env.sequence.SequenceQuality(sdpo4j.env.sequence.WorldConfig.DEFAULT,
                    sdpo4j.env.sequence.SequenceQuality.Oracle.CONTINUOUS, 0, 0.7);
            default -> throw new ConfigException("env", name, "one of " + NAMES);
        };
    }
}
