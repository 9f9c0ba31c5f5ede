package sdpo4j.sim;

/**
 * A cell's final-window metrics over its seeds, and its mean curves.
 *
 * @param cell any run of the cell (its settings)
 * @param seeds number of seeds
 * @param reward mean sampled reward over the final window: mean and sample std over seeds
 * @param credit credit-assignment correlation of the update direction, final window
 * @param entropy policy entropy, final window
 * @param rewardCurve mean over seeds, per step
 * @param entropyCurve mean over seeds, per step
 * @param creditCurve mean over seeds, per step
 * @param alphaCurve the hybrid's weight, mean over seeds, per step (NaN for other methods)
 */
public record CellStats(
        RunSpec cell, int seeds, Stat reward, Stat credit, Stat entropy,
        double[] rewardCurve, double[] entropyCurve, double[] creditCurve, double[] alphaCurve) {

    /** Mean and sample standard deviation. */
    public record Stat(double mean, double std) {
        public static Stat of(double[] x) {
            double mean = 0;
            for (double v : x) {
                mean += v / x.length;
            }
            double ss = 0;
            for (double v : x) {
                ss += (v - mean) * (v - mean);
            }
            return new Stat(mean, x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0);
        }

        public String format() {
            return String.format(java.util.Locale.ROOT, "%.3f ± %.3f", mean, std);
        }
    }
}
