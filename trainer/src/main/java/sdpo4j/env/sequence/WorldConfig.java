package sdpo4j.env.sequence;

import sdpo4j.config.Check;

/**
 * The simulated task (SPEC 2.1), shared by the simulator and the sequence-quality environment. The paper gives V and T; the distributions of q and b and the
 * pattern weight are ours, chosen so that SDPO with continuous feedback lands near Table 1.
 *
 * @param vocab vocabulary size V
 * @param length sequence length T
 * @param qualityStd std of the per-position token quality q(t, v)
 * @param bigramStd std of the bigram coherence bonus b(v, v')
 * @param patternWeight weight alpha_p of matching the target pattern s*
 */
public record WorldConfig(int vocab, int length, double qualityStd, double bigramStd, double patternWeight) {

    public static final WorldConfig DEFAULT = new WorldConfig(8, 6, 1.0, 0.5, 1.0);

    public WorldConfig {
        Check.range("vocab", vocab, 2, 4096);
        Check.range("length", length, 2, 4096);
        Check.nonNegative("quality-std", qualityStd);
        Check.nonNegative("bigram-std", bigramStd);
        Check.nonNegative("pattern-weight", patternWeight);
    }
}
