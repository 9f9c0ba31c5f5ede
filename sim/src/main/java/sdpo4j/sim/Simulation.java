package sdpo4j.sim;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Runs every experiment set of a config: identical runs shared between sets are simulated
 * once, and the runs of each method train as one batched cohort. Cohorts are independent and
 * run on {@code threads} threads, largest first.
 */
public final class Simulation {
    private Simulation() {}

    /** Per-run results keyed by {@link RunSpec#identity()}, plus the runs each set asked for. */
    public record Results(List<RunSpec> runs, Map<String, RunTrace> traces) {
        public RunTrace trace(RunSpec run) {
            return traces.get(run.identity());
        }
    }

    /** One run's per-step metrics. */
    public record RunTrace(float[] reward, float[] entropy, float[] credit, float[] teacherKl, float[] alpha) {}

    public static Results run(SimConfig cfg, int threads, IntConsumer onStep) {
        List<RunSpec> runs = ExperimentSets.build(cfg);
        Map<String, RunSpec> unique = new LinkedHashMap<>();
        for (RunSpec r : runs) {
            unique.putIfAbsent(r.identity(), r);
        }
        Map<SimMethod, List<RunSpec>> byMethod = new EnumMap<>(SimMethod.class);
        for (RunSpec r : unique.values()) {
            byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        }
        List<List<RunSpec>> cohorts = new ArrayList<>(byMethod.values());
        cohorts.sort(Comparator.comparingInt((List<RunSpec> c) -> c.size()).reversed());

        Map<String, RunTrace> traces = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Future<CohortResult>> futures = new ArrayList<>();
            for (List<RunSpec> cohort : cohorts) {
                futures.add(pool.submit(() -> new Cohort(cfg, cohort.get(0).method(), cohort).train(manager, onStep)));
            }
            for (Future<CohortResult> f : futures) {
                CohortResult c = f.get();
                for (int j = 0; j < c.runs().size(); j++) {
                    traces.put(c.runs().get(j).identity(), new RunTrace(
                            column(c.reward(), j), column(c.entropy(), j), column(c.credit(), j),
                            column(c.teacherKl(), j), column(c.alpha(), j)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("simulation interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Results(runs, traces);
    }

    private static float[] column(float[][] byStep, int run) {
        float[] out = new float[byStep.length];
        for (int s = 0; s < byStep.length; s++) {
            out[s] = byStep[s][run];
        }
        return out;
    }

    /** Number of cohort steps {@link #run} will report: for progress bars. */
    public static int totalSteps(SimConfig cfg) {
        return (int) ExperimentSets.build(cfg).stream().map(RunSpec::method).distinct().count() * cfg.steps();
    }
}
