package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/** GRPO baseline settings (SPEC 5). Each key's default and meaning: {@link Builder}. */
public record GrpoConfig(boolean scaleStd, double epsLow, double epsHigh, double klBeta, Aggregation aggregation,
        int normLength, ImportanceSampling importanceSampling) {

    public static final GrpoConfig DEFAULT = builder().build();

    public GrpoConfig {
        Check.inRange("eps-low", epsLow, 0, 0.999);
        Check.nonNegative("eps-high", epsHigh);
        Check.nonNegative("kl-beta", klBeta);
        if (aggregation == null) {
            throw new ConfigException("aggregation", null, "one of [token-mean, seq-mean-token-mean, seq-mean-token-sum-norm]");
        }
        Check.atLeast("norm-length", normLength, 0);
        if (importanceSampling == null) {
            throw new ConfigException("importance-sampling", null, "token or sequence");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().scaleStd(scaleStd).epsLow(epsLow).epsHigh(epsHigh).klBeta(klBeta).aggregation(aggregation)
                .normLength(normLength).importanceSampling(importanceSampling);
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
        @Doc("`token-mean` (over every response token of the batch), `seq-mean-token-mean` (within each response, then "
                + "over responses) or `seq-mean-token-sum-norm` (token sum per response over `norm-length`, then mean over "
                + "responses: Dr. GRPO's loss, with `scale-std: false`)")
        private Aggregation aggregation = Aggregation.TOKEN_MEAN;
        @Doc("the constant length `seq-mean-token-sum-norm` divides by; 0 = `max-new-tokens` in `train` (the response "
                + "length in the simulator)")
        private int normLength = 0;
        @Doc("`token` (one importance ratio per token) or `sequence` (GSPO: one per response, `exp` of its token-mean "
                + "log-ratio, clipped as one)")
        private ImportanceSampling importanceSampling = ImportanceSampling.TOKEN;

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

        public Builder normLength(int v) {
            normLength = v;
            return this;
        }

        public Builder importanceSampling(ImportanceSampling v) {
            importanceSampling = v;
            return this;
        }

        public GrpoConfig build() {
            return new GrpoConfig(scaleStd, epsLow, epsHigh, klBeta, aggregation, normLength, importanceSampling);
        }
    }
}
