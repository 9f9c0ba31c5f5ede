package sdpo4j.sim;

import sdpo4j.stats.MeanStd;

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
        RunSpec cell, int seeds, MeanStd reward, MeanStd credit, MeanStd entropy,
        double[] rewardCurve, double[] entropyCurve, double[] creditCurve, double[] alphaCurve) {
}
