package sdpo4j.bench;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.AtomicFiles;
import sdpo4j.run.RunDirectory;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/**
 * {@code sdpo4j soak}: a long training run of a tiny model that prints resident memory and
 * step time at intervals, then checks that memory stayed flat after warm-up (within 5%) and
 * that step time did not drift up.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Train a tiny random model for many steps (checkpoints included) and print resident memory and step "
                + "time at intervals; exits 1 if memory grows more than 5%% after warm-up or step time drifts up more than 20%%.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "2000", description = "Training steps.")
    int steps;

    @Option(names = "--every", defaultValue = "100", description = "Print a line every N steps.")
    int every;

    @Option(names = "--warmup", defaultValue = "200", description = "Steps before the memory baseline is taken.")
    int warmup;

    @Option(names = "--objective", defaultValue = "credit", description = "Objective to soak (credit exercises every pass).")
    String objective;

    @Override
    public Integer call() throws IOException {
        if (every < 1 || warmup < 0 || warmup + every > steps) {
            throw new sdpo4j.config.ConfigException("--warmup/--every", warmup + "/" + every,
                    "every >= 1 and warmup + every <= steps (" + steps + ")");
        }
        Path tmp = Files.createTempDirectory("sdpo4j-soak");
        try {
            Path model = tmp.resolve("model");
            try (NDManager m = NDManager.newBaseManager()) {
                TinyModels.create(model, TinyModels.config("llama", 2, 64, 2, 1, 256, 256), 0, m);
            }
            TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of("model=" + model,
                    "steps=" + steps, "prompts=4", "group-size=4", "max-new-tokens=8", "lr=1e-4", "objective.name=" + objective,
                    "eval.every=500", "eval.max-tasks=16", "eval.samples=2", "checkpoint.every=250", "checkpoint.keep-last=2",
                    "completions-every=100"));
            RunDirectory run = RunDirectory.create(tmp, "run", false);
            List<double[]> intervals = new ArrayList<>(); // {step, rss MiB, mean step seconds}
            double[] seconds = {0};
            System.out.println("  step   RSS MiB   s/step (generation + update, mean over the interval)");
            Trainer.of(cfg, run).progressLines(false).onStep(line -> {
                long s = ((Number) line.get("step")).longValue();
                // Rollouts and update only: evaluation and checkpoint steps would read as drift.
                seconds[0] += ((Number) line.get("gen_seconds")).doubleValue() + ((Number) line.get("teacher_seconds")).doubleValue()
                        + ((Number) line.get("train_seconds")).doubleValue();
                if (s % every == 0) {
                    double perStep = seconds[0] / every;
                    seconds[0] = 0;
                    double rss = LmBenchmark.residentMiB();
                    intervals.add(new double[] {s, rss, perStep});
                    System.out.printf(Locale.ROOT, "%6d   %7.0f   %.4f%n", s, rss, perStep);
                }
            }).run();
            double[] base = intervals.stream().filter(r -> r[0] > warmup).findFirst().orElseThrow();
            double[] end = intervals.get(intervals.size() - 1);
            double maxRss = intervals.stream().filter(r -> r[0] >= base[0]).mapToDouble(r -> r[1]).max().orElseThrow();
            double growth = maxRss / base[1] - 1;
            double drift = end[2] / base[2] - 1;
            boolean ok = growth <= 0.05 && drift <= 0.20;
            System.out.printf(Locale.ROOT, "after warm-up (step %.0f): RSS %.0f -> max %.0f MiB (%+.1f%%, bar +5%%); "
                    + "step time %.4f -> %.4f s (%+.1f%%, bar +20%%): %s%n", base[0], base[1], maxRss, 100 * growth,
                    base[2], end[2], 100 * drift, ok ? "PASS" : "FAIL");
            return ok ? 0 : 1;
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
    }

}
