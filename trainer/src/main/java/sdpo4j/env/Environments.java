package sdpo4j.env;

import java.util.List;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

/** Environments by the name configs use. */
public final class Environments {
    /** Names that exist today; sequence-quality and python-tests are issue 5's rest. */
    public static final List<String> NAMES = List.of("arithmetic", "countdown", "multiple-choice");

    private Environments() {}

    public static Environment create(String name, ArithmeticConfig arithmetic) {
        return switch (name) {
            case "arithmetic" -> new Arithmetic(arithmetic);
            case "countdown" -> new sdpo4j.env.countdown.Countdown(0);
            case "multiple-choice" -> new sdpo4j.env.choice.MultipleChoice();
            default -> throw new ConfigException("env", name, "one of " + NAMES);
        };
    }
}
