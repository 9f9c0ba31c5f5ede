package sdpo4j.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.run.RunDirectory;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/**
 * Runs every method x seed of a {@link CompareConfig} as an ordinary training run in
 * {@code <dir>/<method>-seed<seed>/}, one after the other (each uses both cores), then writes
 * the report. Same model, data, sampling seeds and settings; only the objective differs.
 */
public final class Comparison {
    private Comparison() {}

    /** Returns the report file, or null when a stop was requested before all runs finished. */
    public static Path run(CompareConfig cfg, RunDirectory dir, BooleanSupplier stop) {
        List<RunLog> logs = new ArrayList<>();
        int total = cfg.methods().size() * cfg.seeds().size();
        int k = 0;
        for (long seed : cfg.seeds()) {
            for (ObjectiveKind method : cfg.methods()) {
                k++;
                String name = method.name().toLowerCase(Locale.ROOT) + "-seed" + seed;
                System.err.printf(Locale.ROOT, "compare: run %d/%d: %s%n", k, total, name);
                TrainConfig tc = cfg.train().withObjectiveName(method).withSeed(seed);
                RunDirectory run = RunDirectory.create(dir.path(), name, true);
                run.writeConfig(tc);
                Trainer.Outcome o = Trainer.of(tc, run).stopWhen(stop).run();
                if (o.stopped()) {
                    return null;
                }
                logs.add(RunLog.read(method.name().toLowerCase(Locale.ROOT), seed, run.resolve(RunDirectory.METRICS_FILE)));
            }
        }
        return CompareReport.write(cfg, logs, dir.path());
    }
}
