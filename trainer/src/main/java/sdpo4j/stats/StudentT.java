package sdpo4j.stats;

/**
 * Student's t distribution with integer degrees of freedom, for confidence intervals over a
 * handful of seeds (where the normal 1.96 would claim far too much): the sweep's t interval,
 * beside {@link Bootstrap}'s resampled one.
 */
public final class StudentT {
    private StudentT() {}

    /**
     * {@code P(|T| <= t)} for {@code df} degrees of freedom: the closed forms of Abramowitz and
     * Stegun 26.7.3 (odd df) and 26.7.4 (even df), exact for integer df.
     */
    public static double twoSidedCdf(double t, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
        }
        double theta = Math.atan(Math.abs(t) / Math.sqrt(df));
        double c2 = Math.cos(theta) * Math.cos(theta);
        double s = Math.sin(theta);
        if (df % 2 == 0) {
            double term = 1;
            double sum = 1;
            for (int k = 2; k <= df - 2; k += 2) {
                term *= c2 * (k - 1) / k;
                sum += term;
            }
            return s * sum;
        }
        double sum = 0;
        if (df > 1) {
            double term = Math.cos(theta);
            sum = term;
            for (int k = 3; k <= df - 2; k += 2) {
                term *= c2 * (k - 1) / k;
                sum += term;
            }
        }
        return 2 / Math.PI * (theta + s * sum);
    }

    /** The {@code t} with {@code P(|T| <= t) = level}, e.g. 2.776 for level 0.95 and df 4 (bisection to 1e-12). */
    public static double twoSidedQuantile(double level, int df) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        double lo = 0;
        double hi = 1;
        while (twoSidedCdf(hi, df) < level) {
            hi *= 2;
        }
        while (hi - lo > 1e-12 * Math.max(1, hi)) {
            double mid = (lo + hi) / 2;
            if (twoSidedCdf(mid, df) < level) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /**
     * The t interval of the mean, {@code mean ± t(level) * s / sqrt(n)} with the sample standard
     * deviation of {@link MeanStd}; needs two values at least.
     */
    public static Interval meanInterval(double[] values, double level) {
        int n = values.length;
        if (n < 2) {
            throw new IllegalArgumentException("a t interval needs two values at least, got " + n);
        }
        MeanStd s = MeanStd.of(values);
        double half = twoSidedQuantile(level, n - 1) * s.std() / Math.sqrt(n);
        return new Interval(s.mean(), s.mean() - half, s.mean() + half);
    }
}
