package sdpo4j.sim;

import java.util.Map;

/**
 * What the seed paper reports (its Tables 1-3 and section 3 text, as collected in SPEC 2.6):
 * the reproduction target the report puts beside our numbers.
 */
final class PaperValues {
    private PaperValues() {}

    static final FeedbackType[] COLUMNS = {
        FeedbackType.BINARY, FeedbackType.ORDINAL, FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE
    };

    static final Map<SimMethod, double[]> REWARD = Map.of(
            SimMethod.SDPO, new double[] {0.650, 0.654, 0.641, 0.637},
            SimMethod.REINFORCE, new double[] {0.512, 0.508, 0.514, 0.510},
            SimMethod.ADVANTAGE_WEIGHTED, new double[] {0.520, 0.516, 0.511, 0.516});

    static final Map<SimMethod, double[]> CREDIT = Map.of(
            SimMethod.SDPO, new double[] {0.703, 0.734, 0.768, 0.785},
            SimMethod.REINFORCE, new double[] {-0.645, -0.630, -0.636, -0.634},
            SimMethod.ADVANTAGE_WEIGHTED, new double[] {-0.052, -0.071, -0.094, -0.108});

    static final Map<SimMethod, double[]> ENTROPY = Map.of(
            SimMethod.SDPO, new double[] {1.616, 1.644, 1.750, 1.780},
            SimMethod.REINFORCE, new double[] {2.075, 2.076, 2.075, 2.076},
            SimMethod.ADVANTAGE_WEIGHTED, new double[] {2.076, 2.071, 2.076, 2.075});

    /** SDPO reward without noise and at sigma 0.5 (section 3.4). */
    static final double NOISE_SDPO_CLEAN = 0.641;
    static final double NOISE_SDPO_SIGMA_05 = 0.624;

    /** Hybrid set at sigma 0.2 (section 3.5): continuous {hybrid, sdpo, reinforce}, critique {hybrid, sdpo}. */
    static final double HYBRID_CONTINUOUS = 0.623;
    static final double SDPO_CONTINUOUS_NOISY = 0.638;
    static final double REINFORCE_CONTINUOUS_NOISY = 0.509;
    static final double HYBRID_CRITIQUE = 0.631;
    static final double SDPO_CRITIQUE_NOISY = 0.627;
    static final double HYBRID_ENTROPY_LOW = 1.82;
    static final double HYBRID_ENTROPY_HIGH = 1.83;

    /** Multi-seed set (section 3.6): mean and std. */
    static final Map<SimMethod, double[]> MULTI_SEED = Map.of(
            SimMethod.SDPO, new double[] {0.669, 0.058},
            SimMethod.REINFORCE, new double[] {0.486, 0.034},
            SimMethod.ADVANTAGE_WEIGHTED, new double[] {0.488, 0.040});
}
