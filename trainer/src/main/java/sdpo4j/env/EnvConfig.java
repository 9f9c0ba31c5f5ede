package sdpo4j.env;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.WorldConfig;

/**
 * Which environment a run scores with, and its settings: the {@code env:} section of a
 * training config. Each key's default and meaning: {@link Builder}.
 */
public record EnvConfig(
        String name,
        ArithmeticConfig arithmetic,
        double countdownPartialCredit,
        SequenceQuality.Oracle sequenceOracle,
        double sequenceSigma,
        double successThreshold,
        String python,
        FeedbackDetail feedback) {

    public static final EnvConfig DEFAULT = builder().build();

    public EnvConfig {
        Check.oneOf("name", name, Environments.NAMES);
        if (arithmetic == null) {
            throw new ConfigException("arithmetic", null, "a section of keys");
        }
        Check.inRange("countdown-partial-credit", countdownPartialCredit, 0, 0.999);
        Check.nonNegative("sequence-sigma", sequenceSigma);
        Check.inRange("success-threshold", successThreshold, 0, 1);
        if (sequenceOracle == null) {
            throw new ConfigException("sequence-oracle", null, "one of [binary, ordinal, continuous, critique]");
        }
        if (feedback == null) {
            throw new ConfigException("feedback", null, "one of [informative, terse]");
        }
    }

    WorldConfig world() {
        return WorldConfig.DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().name(name).arithmetic(arithmetic).countdownPartialCredit(countdownPartialCredit)
                .sequenceOracle(sequenceOracle).sequenceSigma(sequenceSigma).successThreshold(successThreshold).python(python)
                .feedback(feedback);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("which environment: `arithmetic`, `arithmetic-tool` (two turns with a tool result), `countdown`, "
                + "`multiple-choice`, `sequence-quality` or `python-tests`")
        private String name = "arithmetic";
        @Doc("arithmetic settings (arithmetic-tool's scoring and feedback too)")
        private ArithmeticConfig arithmetic = ArithmeticConfig.DEFAULT;
        @Doc("reward of a valid countdown equation that misses the target")
        private double countdownPartialCredit = 0.0;
        @Doc("feedback the sequence-quality environment renders: `binary`, `ordinal`, `continuous` or `critique`")
        private SequenceQuality.Oracle sequenceOracle = SequenceQuality.Oracle.CONTINUOUS;
        @Doc("the sequence-quality judge's noise")
        private double sequenceSigma = 0.0;
        @Doc("reward at or above which a sequence-quality response counts as a success")
        private double successThreshold = 0.7;
        @Doc("the python interpreter of the python-tests sandbox")
        private String python = "/usr/bin/python3";
        @Doc("feedback on a failed response: `informative` (what is wrong and by how much, which rule or test; "
                + "datasets/README.md has examples) or `terse` (little beyond the reward)")
        private FeedbackDetail feedback = FeedbackDetail.INFORMATIVE;

        private Builder() {}

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder arithmetic(ArithmeticConfig v) {
            arithmetic = v;
            return this;
        }

        public Builder countdownPartialCredit(double v) {
            countdownPartialCredit = v;
            return this;
        }

        public Builder sequenceOracle(SequenceQuality.Oracle v) {
            sequenceOracle = v;
            return this;
        }

        public Builder sequenceSigma(double v) {
            sequenceSigma = v;
            return this;
        }

        public Builder successThreshold(double v) {
            successThreshold = v;
            return this;
        }

        public Builder python(String v) {
            python = v;
            return this;
        }

        public Builder feedback(FeedbackDetail v) {
            feedback = v;
            return this;
        }

        public EnvConfig build() {
            return new EnvConfig(name, arithmetic, countdownPartialCredit, sequenceOracle, sequenceSigma, successThreshold,
                    python, feedback);
        }
    }
}
