package sdpo4j.env;

import java.util.List;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticTool;
import sdpo4j.env.choice.MultipleChoice;
import sdpo4j.env.countdown.Countdown;
import sdpo4j.env.python.PythonTests;
import sdpo4j.env.python.Sandbox;
import sdpo4j.env.sequence.SequenceQuality;

/** Environments by the name configs use. */
public final class Environments {
    public static final List<String> NAMES = List.of("arithmetic", "arithmetic-tool", "countdown", "multiple-choice", "sequence-quality", "python-tests");

    private Environments() {}

    /** The environment a config names. */
    public static Environment create(EnvConfig cfg) {
        return switch (cfg.name()) {
            case "arithmetic" -> new Arithmetic(cfg.arithmetic(), cfg.feedback());
            case "arithmetic-tool" -> new ArithmeticTool(cfg.arithmetic(), cfg.feedback());
            case "countdown" -> new Countdown(cfg.countdownPartialCredit(), cfg.feedback());
            case "multiple-choice" -> new MultipleChoice(cfg.feedback());
            case "sequence-quality" -> new SequenceQuality(cfg.world(), cfg.sequenceOracle(), cfg.sequenceSigma(), cfg.successThreshold(),
                    cfg.feedback());
            case "python-tests" -> {
                String reason = Sandbox.unavailableReason(cfg.python());
                if (reason != null) {
                    throw new ConfigException("env.name", cfg.name(), "an environment this machine can run: " + reason);
                }
                yield new PythonTests(new Sandbox(cfg.python()), Sandbox.Limits.DEFAULT, cfg.feedback());
            }
            default -> throw new ConfigException("env.name", cfg.name(), "one of " + NAMES);
        };
    }
}
