package sdpo4j.sim;

/**
 * The rules behind the report's verdicts: each takes the measured numbers and says whether the
 * paper's claim holds in them, with its threshold here and stated in the report's text.
 */
final class Verdicts {
    /** Largest difference that counts as float rounding between two runs of identical maths. */
    static final double ROUNDING = 1e-6;
    /** Advantage-weighted's credit correlation counts as near zero below this magnitude. */
    static final double NEAR_ZERO = 0.15;
    /** Largest relative reward loss from the lowest to the highest noise level that counts as "costs little". */
    static final double NOISE_COST = 0.05;

    private Verdicts() {}

    static String of(boolean holds) {
        return holds ? "reproduces" : "does not reproduce";
    }

    /** The paper's REINFORCE credit correlation is negative (-0.63): the measured one must be too. */
    static boolean reinforceCreditNegative(double credit) {
        return credit < 0;
    }

    /** Advantage-weighted's credit correlation is near zero: {@code |c| < NEAR_ZERO}. */
    static boolean nearZero(double credit) {
        return Math.abs(credit) < NEAR_ZERO;
    }

    /** SDPO lowers entropy: every feedback type's SDPO entropy is below REINFORCE's. */
    static boolean lowersEntropy(double[] sdpo, double reinforce) {
        for (double e : sdpo) {
            if (!(e < reinforce)) {
                return false;
            }
        }
        return true;
    }

    /** Two runs differ by float rounding only: every pair within {@link #ROUNDING}. */
    static boolean floatRounding(double... pairs) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (!(Math.abs(pairs[i] - pairs[i + 1]) <= ROUNDING)) {
                return false;
            }
        }
        return true;
    }

    /** Relative reward change from {@code clean} to {@code noisy}. */
    static double relativeChange(double clean, double noisy) {
        return (noisy - clean) / clean;
    }

    /**
     * Noise costs SDPO little: its reward loses at most {@link #NOISE_COST} of its noiseless
     * level at the highest noise, and REINFORCE never catches up in the tested range.
     */
    static boolean noiseCostsLittle(double clean, double noisy, boolean crossover) {
        return relativeChange(clean, noisy) >= -NOISE_COST && !crossover;
    }
}
