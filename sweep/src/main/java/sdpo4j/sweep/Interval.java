package sdpo4j.sweep;

import sdpo4j.stats.MeanStd;

/**
 * Mean and 95% confidence interval of a metric over seeds: the simulator report's mean and
 * sample standard deviation ({@link MeanStd}, shared with compare and the simulator), with the t interval
 * {@code mean ± t(0.975, n-1) * std / sqrt(n)}; no interval for one seed.
 *
 * @param n seeds
 * @param mean the mean
 * @param halfWidth half the interval's width (NaN for one seed)
 */
record Interval(int n, double mean, double halfWidth) {
    static Interval of(double[] values) {
        MeanStd s = MeanStd.of(values);
        int n = values.length;
        double half = n < 2 ? Double.NaN : StudentT.twoSidedQuantile(0.95, n - 1) * s.std() / Math.sqrt(n);
        return new Interval(n, s.mean(), half);
    }

    double low() {
        return mean - halfWidth;
    }

    double high() {
        return mean + halfWidth;
    }
}
