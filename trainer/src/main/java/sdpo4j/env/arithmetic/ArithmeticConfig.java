package sdpo4j.env.arithmetic;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/** The arithmetic environment and its generator. Each key's default and meaning: {@link Builder}. */
public record ArithmeticConfig(int digits, List<String> operators, int terms, boolean revealAnswer) {
    public static final ArithmeticConfig DEFAULT = builder().build();

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

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().digits(digits).operators(operators).terms(terms).revealAnswer(revealAnswer);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("largest operand has this many digits")
        private int digits = 2;
        @Doc("operators drawn from, among `+ - *`")
        private List<String> operators = List.of("+", "-", "*");
        @Doc("operands per expression (2 or more)")
        private int terms = 2;
        @Doc("feedback on a wrong answer states the correct one (off by default: the teacher should learn from "
                + "what was wrong, not copy the answer)")
        private boolean revealAnswer = false;

        private Builder() {}

        public Builder digits(int v) {
            digits = v;
            return this;
        }

        public Builder operators(List<String> v) {
            operators = v;
            return this;
        }

        public Builder terms(int v) {
            terms = v;
            return this;
        }

        public Builder revealAnswer(boolean v) {
            revealAnswer = v;
            return this;
        }

        public ArithmeticConfig build() {
            return new ArithmeticConfig(digits, operators, terms, revealAnswer);
        }
    }
}
