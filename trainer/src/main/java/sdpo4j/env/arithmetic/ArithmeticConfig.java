package sdpo4j.env.arithmetic;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;

/**
 * The arithmetic environment and its generator.
 *
 * @param digits largest operand has this many digits
 * @param operators operators drawn from, among {@code + - *}
 * @param terms operands per expression (2 or more)
 * @param revealAnswer feedback on a wrong answer states the correct one (off by default: the
 *     teacher should learn from what was wrong, not copy the answer)
 */
public record ArithmeticConfig(int digits, List<String> operators, int terms, boolean revealAnswer) {
    public static final ArithmeticConfig DEFAULT = new ArithmeticConfig(2, List.of("+", "-", "*"), 2, false);

    public ArithmeticConfig {
        Check.range("digits", digits, 1, 9);
        Check.range("terms", terms, 2, 8);
        Check.nonEmpty("operators", operators);
        for (String op : operators) {
            Check.oneOf("operators", op, List.of("+", "-", "*"));
        }
        operators = List.copyOf(operators);
        // A product of `terms` operands below 10^digits stays below 10^(digits*terms); past
        // 10^18 it could wrap around a long and the dataset would carry a wrong answer.
        if (operators.contains("*") && digits * terms > 18) {
            throw new ConfigException("terms", terms, "at most " + 18 / digits + " with " + digits
                    + "-digit operands and * (a larger product overflows a 64-bit answer)");
        }
    }
}
