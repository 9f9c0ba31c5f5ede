package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/** GRPO baseline settings (SPEC 5). Each key's default and meaning: {@link Builder}. */
public record GrpoConfig(boolean scaleStd, double epsLow, double epsHigh, double klBeta, Aggregation aggregation) {

    public static final GrpoConfig DEFAULT = builder().build();

    public GrpoConfig {
        Check.inRange("eps-low", epsLow, 0, 0.999);
        Check.nonNegative("eps-high", epsHigh);
        Check.nonNegative("kl-beta", klBeta);
        if (aggregation == null) {
            throw new ConfigException("aggregation", null, "one of [token-mean, seq-mean-token-mean]");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().scaleStd(scaleStd).epsLow(epsLow).epsHigh(epsHigh).klBeta(klBeta).aggregation(aggregation);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("divide the group-centred reward by the group std (off gives Dr.GRPO)")
        private boolean scaleStd = true;
        @Doc("lower clip range of the importance ratio, `1 - eps-low`")
        private double epsLow = 0.2;
        @Doc("upper clip range, `1 + eps-high`")
        private double epsHigh = 0.2;
        @Doc("coefficient of the k3 KL to a frozen reference; 0 disables it")
        private double klBeta = 0.0;
        @Doc("`token-mean` (over every response token of the batch) or `seq-mean-token-mean` (within each response, then "
                + "over responses)")
        private Aggregation aggregation = Aggregation.TOKEN_MEAN;

        private Builder() {}

        public Builder scaleStd(boolean v) {
            scaleStd = v;
            return this;
        }

        public Builder epsLow(double v) {
            epsLow = v;
            return this;
        }

        public Builder epsHigh(double v) {
            epsHigh = v;
            return this;
        }

        public Builder klBeta(double v) {
            klBeta = v;
            return this;
        }

        public Builder aggregation(Aggregation v) {
            aggregation = v;
            return this;
        }

        public GrpoConfig build() {
            return new GrpoConfig(scaleStd, epsLow, epsHigh, klBeta, aggregation);
        }
    }
}
