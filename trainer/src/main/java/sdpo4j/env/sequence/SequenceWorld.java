package sdpo4j.env.sequence;

import java.util.Random;

/**
 * One world of the factored-policy study on the host (SPEC 2.1): token quality {@code q[t][v]},
 * bigram bonus {@code b[v][v']}, target pattern, and
 * {@code R(s) = sigmoid((sum_t q(t,s_t) + sum_t b(s_t,s_t+1) + alpha_p * #[s_t = s*_t]) / T)}.
 * The draw order is part of the contract: the simulator's batched worlds and the
 * sequence-quality environment build the same world from the same seed.
 */
public final class SequenceWorld {
    private final WorldConfig cfg;
    private final double[][] quality;
    private final double[][] bigram;
    private final int[] target;

    public SequenceWorld(WorldConfig cfg, long seed) {
        this.cfg = cfg;
        int t = cfg.length();
        int v = cfg.vocab();
        Random rnd = new Random(seed);
        quality = new double[t][v];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < v; j++) {
                quality[i][j] = cfg.qualityStd() * rnd.nextGaussian();
            }
        }
        bigram = new double[v][v];
        for (int i = 0; i < v; i++) {
            for (int j = 0; j < v; j++) {
                bigram[i][j] = cfg.bigramStd() * rnd.nextGaussian();
            }
        }
        target = new int[t];
        for (int i = 0; i < t; i++) {
            target[i] = rnd.nextInt(v);
        }
    }

    public WorldConfig config() {
        return cfg;
    }

    public double quality(int position, int token) {
        return quality[position][token];
    }

    public double bigram(int token, int next) {
        return bigram[token][next];
    }

    public int target(int position) {
        return target[position];
    }

    /** The token with the lowest mean quality over positions: what a biased judge over-rates. */
    public int worstToken() {
        int worst = 0;
        double worstMean = Double.POSITIVE_INFINITY;
        for (int v = 0; v < cfg.vocab(); v++) {
            double mean = 0;
            for (int t = 0; t < cfg.length(); t++) {
                mean += quality[t][v] / cfg.length();
            }
            if (mean < worstMean) {
                worstMean = mean;
                worst = v;
            }
        }
        return worst;
    }

    /** The reward before the sigmoid. */
    public double score(int[] s) {
        double sum = 0;
        for (int t = 0; t < s.length; t++) {
            sum += quality[t][s[t]] + (s[t] == target[t] ? cfg.patternWeight() : 0);
            if (t + 1 < s.length) {
                sum += bigram[s[t]][s[t + 1]];
            }
        }
        return sum / cfg.length();
    }

    public double reward(int[] s) {
        return 1 / (1 + Math.exp(-score(s)));
    }

    /** The true per-token advantage {@code q(t, v) - E_pi[q(t, .)]} under a distribution {@code probs[t][v]}. */
    public double[][] trueAdvantage(double[][] probs) {
        double[][] a = new double[cfg.length()][cfg.vocab()];
        for (int t = 0; t < cfg.length(); t++) {
            double expected = 0;
            for (int v = 0; v < cfg.vocab(); v++) {
                expected += probs[t][v] * quality[t][v];
            }
            for (int v = 0; v < cfg.vocab(); v++) {
                a[t][v] = quality[t][v] - expected;
            }
        }
        return a;
    }
}
