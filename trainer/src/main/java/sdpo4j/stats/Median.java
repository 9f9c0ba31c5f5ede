package sdpo4j.stats;

import java.util.Arrays;

/** The median of a set of timings or ratios: the middle value, or the mean of the two middle values. */
public final class Median {
    private Median() {}

    public static double of(double[] xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
