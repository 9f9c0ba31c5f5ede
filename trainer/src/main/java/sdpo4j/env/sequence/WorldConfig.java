package sdpo4j.env.sequence;

import sdpo4j.config.Check;
import sdpo4j.config.Doc;

/**
 * The simulated task (SPEC 2.1), shared by the simulator and the sequence-quality environment. The paper gives V and T; the distributions of q and b and the
 * pattern weight are ours, chosen so that SDPO with continuous feedback lands near Table 1.
 * Each key's default and meaning: {@link Builder}.
 */
public record WorldConfig(int vocab, int length, double qualityStd, double bigramStd, double patternWeight) {

    public static final WorldConfig DEFAULT = builder().build();

    public WorldConfig {
        Check.range("vocab", vocab, 2, 4096);
        Check.range("length", length, 2, 4096);
        Check.nonNegative("quality-std", qualityStd);
        Check.nonNegative("bigram-std", bigramStd);
        Check.nonNegative("pattern-weight", patternWeight);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().vocab(vocab).length(length).qualityStd(qualityStd).bigramStd(bigramStd).patternWeight(patternWeight);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("vocabulary size V")
        private int vocab = 8;
        @Doc("sequence length T")
        private int length = 6;
        @Doc("std of the per-position token quality, q(t, v) ~ N(0, quality-std^2) (not in the paper; SPEC 2.1)")
        private double qualityStd = 1.0;
        @Doc("std of the bigram coherence bonus, b(v, v') ~ N(0, bigram-std^2) (not in the paper; SPEC 2.1)")
        private double bigramStd = 0.5;
        @Doc("weight alpha_p of matching the target pattern s*")
        private double patternWeight = 1.0;

        private Builder() {}

        public Builder vocab(int v) {
            vocab = v;
            return this;
        }

        public Builder length(int v) {
            length = v;
            return this;
        }

        public Builder qualityStd(double v) {
            qualityStd = v;
            return this;
        }

        public Builder bigramStd(double v) {
            bigramStd = v;
            return this;
        }

        public Builder patternWeight(double v) {
            patternWeight = v;
            return this;
        }

        public WorldConfig build() {
            return new WorldConfig(vocab, length, qualityStd, bigramStd, patternWeight);
        }
    }
}
