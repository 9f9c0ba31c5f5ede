package sdpo4j.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap over two levels, seeds and then tasks within a seed: each replicate draws
 * the seeds with replacement and, inside every drawn seed, its tasks with replacement, and takes
 * the mean over all drawn (seed, task) values. Both sources of variation, training randomness and
 * which held-out tasks were asked, widen the interval. A paired difference draws the same seeds
 * and tasks for both methods, so what they share (a seed's data order, a hard task) cancels.
 * Seeded: the same inputs and seed give the same interval.
 */
public final class Bootstrap {
    private final int replicates;
    private final long seed;
    private final double level;

    /**
     * @param replicates number of resamples
     * @param seed       the resampling stream's seed
     * @param level      coverage of the interval, e.g. 0.95
     */
    public Bootstrap(int replicates, long seed, double level) {
        if (replicates < 1) {
            throw new IllegalArgumentException("replicates must be at least 1, got " + replicates);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        this.replicates = replicates;
        this.seed = seed;
        this.level = level;
    }

    /** Which seeds one replicate drew (with replacement) and, for each drawn seed in turn, which of its tasks. */
    public record Draw(int[] seeds, int[][] tasks) {}

    /** Interval of the grand mean of {@code x[seed][task]} (rows may differ in length). */
    public Interval mean(double[][] x) {
        check(x, "x");
        int[] shape = new int[x.length];
        for (int s = 0; s < x.length; s++) {
            shape[s] = x[s].length;
        }
        return statistic(shape, d -> {
            double sum = 0;
            long n = 0;
            for (int i = 0; i < d.seeds().length; i++) {
                double[] row = x[d.seeds()[i]];
                for (int t : d.tasks()[i]) {
                    sum += row[t];
                }
                n += row.length;
            }
            return sum / n;
        });
    }

    /**
     * Interval of any statistic of seeds x tasks (seed s has {@code tasksPerSeed[s]} tasks): its
     * value on the data as measured, and the percentiles of its values on the resampled draws. A
     * statistic computed from several methods' values on the same draw is paired. Draws on which
     * it is undefined (NaN) are left out; it may be infinite (a level never reached).
     */
    public Interval statistic(int[] tasksPerSeed, java.util.function.ToDoubleFunction<Draw> stat) {
        int[] identity = new int[tasksPerSeed.length];
        int[][] all = new int[tasksPerSeed.length][];
        for (int s = 0; s < identity.length; s++) {
            identity[s] = s;
            all[s] = java.util.stream.IntStream.range(0, tasksPerSeed[s]).toArray();
        }
        double estimate = stat.applyAsDouble(new Draw(identity, all));
        double[] stats = new double[replicates];
        int kept = 0;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int r = 0; r < replicates; r++) {
            int[] seeds = new int[tasksPerSeed.length];
            draw(rng, seeds);
            int[][] tasks = new int[seeds.length][];
            for (int i = 0; i < seeds.length; i++) {
                tasks[i] = new int[tasksPerSeed[seeds[i]]];
                for (int t = 0; t < tasks[i].length; t++) {
                    tasks[i][t] = rng.nextInt(tasks[i].length);
                }
            }
            double v = stat.applyAsDouble(new Draw(seeds, tasks));
            if (!Double.isNaN(v)) {
                stats[kept++] = v;
            }
        }
        if (kept == 0) {
            return new Interval(estimate, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY); // no information
        }
        return interval(estimate, Arrays.copyOf(stats, kept));
    }

    /**
     * Interval of the mean of {@code a - b}, cell by cell: {@code a[s][t]} and {@code b[s][t]}
     * are the two methods on the same seed and task, so the arrays must have the same shape.
     */
    public Interval pairedDifference(double[][] a, double[][] b) {
        check(a, "a");
        check(b, "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples need the same seeds: " + a.length + " vs " + b.length);
        }
        double[][] d = new double[a.length][];
        for (int s = 0; s < a.length; s++) {
            if (a[s].length != b[s].length) {
                throw new IllegalArgumentException("paired samples need the same tasks: seed " + s + " has "
                        + a[s].length + " vs " + b[s].length);
            }
            d[s] = new double[a[s].length];
            for (int t = 0; t < d[s].length; t++) {
                d[s][t] = a[s][t] - b[s][t];
            }
        }
        return mean(d);
    }

    private static void draw(SplittableRandom rng, int[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = rng.nextInt(out.length);
        }
    }

    private Interval interval(double estimate, double[] stats) {
        Arrays.sort(stats);
        double tail = (1 - level) / 2;
        return new Interval(estimate, quantile(stats, tail), quantile(stats, 1 - tail));
    }

    /** Linear interpolation between order statistics (type 7, numpy's default). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        // Equal neighbours (two infinities among them) and exact order statistics need no interpolation.
        return sorted[lo] == sorted[hi] || h == lo ? sorted[lo] : sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static void check(double[][] x, String name) {
        if (x.length == 0) {
            throw new IllegalArgumentException(name + ": no seeds to resample");
        }
        for (int s = 0; s < x.length; s++) {
            if (x[s].length == 0) {
                throw new IllegalArgumentException(name + ": seed " + s + " has no values");
            }
            for (double v : x[s]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(name + ": seed " + s + " holds a non-finite value " + v);
                }
            }
        }
    }
}
