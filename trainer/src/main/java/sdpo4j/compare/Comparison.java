package sdpo4j.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.RunException;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/**
 * Runs every method x seed of a {@link CompareConfig} (or every {@link Arm} x seed of an
 * ablation set) as an ordinary training run in {@code <dir>/<arm>-seed<seed>/},
 * {@code parallel-runs} at a time, then writes the report. Same model, data, sampling seeds and
 * settings; only the objective (or an ablation's keys) differs. Runs are
 * independent (each has its own model, optimiser and random streams), so running them side by
 * side changes their wall times but not their results.
 */
public final class Comparison {
    private Comparison() {}

    /** Returns the report file, or null when a stop was requested before all runs finished. */
    public static Path run(CompareConfig cfg, RunDirectory dir, BooleanSupplier stop) {
        return run(cfg, methodArms(cfg), dir, stop);
    }

    /**
     * Trains every arm once per seed of {@code cfg} ({@code parallel-runs} at a time) and writes
     * the report, whose statistics settings and header come from {@code cfg}. Returns the report
     * file, or null when a stop was requested before all runs finished.
     */
    public static Path run(CompareConfig cfg, List<Arm> arms, RunDirectory dir, BooleanSupplier stop) {
        List<String> names = new ArrayList<>();
        List<TrainConfig> configs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (Arm arm : arms) {
                names.add(runName(arm.label(), seed));
                configs.add(arm.train().withSeed(seed));
            }
        }
        AtomicInteger started = new AtomicInteger();
        // One run's failure stops the others at their next step (each keeps its checkpoint), so that
        // the failure reaches the caller only once nothing writes into the directory any more.
        AtomicBoolean failed = new AtomicBoolean();
        BooleanSupplier stopRuns = () -> failed.get() || stop.getAsBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(cfg.parallelRuns());
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                TrainConfig tc = configs.get(i);
                done.add(pool.submit(() -> {
                    if (stopRuns.getAsBoolean()) {
                        return false;
                    }
                    try {
                        // libtorch's grad mode is per thread and on in a new one; the trainer expects it off
                        Autograd.disableOnThisThread();
                        System.err.printf(Locale.ROOT, "compare: run %d/%d: %s%n", started.incrementAndGet(), names.size(), name);
                        RunDirectory run = RunDirectory.create(dir.path(), name, true);
                        run.writeConfig(tc);
                        return !Trainer.of(tc, run).stopWhen(stopRuns).run().stopped();
                    } catch (RuntimeException e) {
                        failed.set(true);
                        throw e;
                    }
                }));
            }
            boolean complete = true;
            for (Future<Boolean> f : done) {
                complete &= f.get();
            }
            if (!complete) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            failed.set(true);
            pool.shutdown();
            awaitQuietly(pool);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new RunException("a comparison run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        List<RunLog> logs = new ArrayList<>();
        for (long seed : cfg.seeds()) {
            for (Arm arm : arms) {
                logs.add(RunLog.read(arm.label(), seed, dir.resolve(runName(arm.label(), seed)).resolve(RunDirectory.METRICS_FILE),
                        arm.train().prompts() * arm.train().groupSize()));
            }
        }
        return CompareReport.write(cfg, arms, logs, dir.path());
    }

    /** Waits for the pool's running tasks to return (they stop at their next step once a run failed). */
    private static void awaitQuietly(ExecutorService pool) {
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // a run between two steps: its next step check stops it
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code compare}'s arms: one per method, each but the baseline paired against it. */
    static List<Arm> methodArms(CompareConfig cfg) {
        String base = label(cfg.baseline());
        return cfg.methods().stream().map(k -> Arm.method(label(k), cfg.train().withObjectiveName(k),
                label(k).equals(base) ? null : base)).toList();
    }

    public static String label(ObjectiveKind method) {
        return method.name().toLowerCase(Locale.ROOT);
    }

    private static String runName(String label, long seed) {
        return label + "-seed" + seed;
    }
}
