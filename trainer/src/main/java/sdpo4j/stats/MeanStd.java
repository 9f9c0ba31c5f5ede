package sdpo4j.stats;

import java.util.Locale;

/** Mean and sample standard deviation (0 for a single value) of a set of per-seed values. */
public record MeanStd(double mean, double std) {
    public static MeanStd of(double[] x) {
        double mean = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        return new MeanStd(mean, x.length > 1 ? Math.sqrt(ss / (x.length - 1)) : 0);
    }

    public String format() {
        return String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
    }
}
