package sdpo4j.sim;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
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
 * once, and all runs train in {@code threads} batched cohorts, one per thread. Methods are
 * dealt to cohorts in an order that balances the measured work (with two threads: SDPO, GRPO
 * and the hybrid on one, REINFORCE, Credit and advantage-weighted on the other).
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

    /** Method i goes to cohort {@code i % threads}. */
    static final List<SimMethod> DEAL_ORDER = List.of(SimMethod.SDPO, SimMethod.REINFORCE, SimMethod.GRPO,
            SimMethod.CREDIT, SimMethod.HYBRID, SimMethod.ADVANTAGE_WEIGHTED);

    public static Results run(SimConfig cfg, int threads, IntConsumer onStep) {
        return run(cfg, ExperimentSets.build(cfg), threads, onStep);
    }

    /** Runs the given runs (of any sets) with the config's steps, world and objective. */
    public static Results run(SimConfig cfg, List<RunSpec> runs, int threads, IntConsumer onStep) {
        int n = Math.max(1, threads);
        List<List<RunSpec>> cohorts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cohorts.add(new ArrayList<>());
        }
        for (RunSpec r : ExperimentSets.distinct(runs)) {
            cohorts.get(DEAL_ORDER.indexOf(r.method()) % n).add(r);
        }
        cohorts.removeIf(List::isEmpty);

        Map<String, RunTrace> traces = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try (NDManager manager = NDManager.newBaseManager()) {
            List<Future<CohortResult>> futures = new ArrayList<>();
            for (List<RunSpec> cohort : cohorts) {
                futures.add(pool.submit(() -> new Cohort(cfg, cohort).train(manager, onStep)));
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

    /** Number of cohort steps {@link #run} will report with this many threads: for progress bars. */
    public static int totalSteps(SimConfig cfg, int threads) {
        int n = Math.max(1, threads);
        long cohorts = ExperimentSets.build(cfg).stream().map(r -> DEAL_ORDER.indexOf(r.method()) % n).distinct().count();
        return (int) cohorts * cfg.steps();
    }
}
