package sdpo4j.bench;

import sdpo4j.sim.Cohort;
import sdpo4j.sim.FeedbackType;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.SimConfig;
import sdpo4j.sim.SimMethod;
import sdpo4j.sim.Simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the batched simulator: run-steps per second for cohorts of increasing size,
 * and the full experiment of a config. Figures are printed, never asserted: speed is measured
 * here, not in unit tests.
 */
public final class SimBenchmark {
    private SimBenchmark() {}

    /** One measurement: R runs trained for the config's steps. */
    public record Point(String what, int runs, int steps, double seconds) {
        public double runStepsPerSecond() {
            return runs * (double) steps / seconds;
        }

        public double msPerRunStep() {
            return 1000 * seconds / (runs * (double) steps);
        }

        public String format() {
            return String.format(Locale.ROOT, "%-34s runs %5d  steps %4d  wall %6.2f s  %9.0f run-steps/s  %.4f ms/run-step",
                    what, runs, steps, seconds, runStepsPerSecond(), msPerRunStep());
        }
    }

    /** SDPO cohorts (continuous feedback) of each size in {@code sizes}, one thread. */
    public static List<Point> cohorts(SimConfig cfg, int[] sizes) {
        List<Point> points = new ArrayList<>();
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            // Warm-up: JIT and libtorch kernels, so the first size is not charged for them.
            new Cohort(cfg, runs(8)).train(manager, null);
            for (int size : sizes) {
                long start = System.nanoTime();
                new Cohort(cfg, runs(size)).train(manager, null);
                points.add(new Point("SDPO cohort", size, cfg.steps(), (System.nanoTime() - start) / 1e9));
            }
        }
        return points;
    }

    private static List<RunSpec> runs(int n) {
        List<RunSpec> runs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            runs.add(new RunSpec("bench", SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, i));
        }
        return runs;
    }

    /** The whole experiment of {@code cfg} on {@code threads} threads. */
    public static Point experiment(SimConfig cfg, int threads) {
        return experiment(cfg, threads, "");
    }

    /** As {@link #experiment(SimConfig, int)}, with {@code note} added to the label. */
    public static Point experiment(SimConfig cfg, int threads, String note) {
        long start = System.nanoTime();
        Simulation.Results results = Simulation.run(cfg, threads, null);
        return new Point("all sets, " + threads + " thread(s)" + (note.isEmpty() ? "" : ", " + note),
                results.traces().size(), cfg.steps(), (System.nanoTime() - start) / 1e9);
    }
}
