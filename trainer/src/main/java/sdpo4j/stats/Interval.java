package sdpo4j.stats;

import java.util.Locale;

/** A point estimate with the bounds of its confidence interval. */
public record Interval(double estimate, double lo, double hi) {
    public Interval {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("interval bounds out of order: [" + lo + ", " + hi + "]");
        }
    }

    /** {@code 0.412 [0.380, 0.445]}. */
    public String format() {
        return format(estimate) + " [" + format(lo) + ", " + format(hi) + "]";
    }

    /** As {@link #format} with an explicit sign on every number (differences). */
    public String formatSigned() {
        return signed(estimate) + " [" + signed(lo) + ", " + signed(hi) + "]";
    }

    /** Three decimals, or none at 100 and above. */
    public static String format(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.3f", v);
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "") + format(v);
    }
}
