package sdpo4j.bench;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.run.AtomicFiles;
import sdpo4j.train.TrainConfig;

/** {@code sdpo4j train-bench}: time of one training update per objective, excluding generation. */
@Command(name = "train-bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Time one update (teacher scoring + student forward/backward + AdamW + EMA; generation excluded) "
                + "for GRPO, SDPO and Credit (C = objective.contrast-prompts, 1 unless set) on the same rollout batch, "
                + "methods interleaved, and print the "
                + "ratios SDPO/GRPO and Credit/SDPO and the split of step time."})
public final class TrainBenchCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model directory (default: a random llama LAYERSxWIDTH model in a temp dir).")
    Path model;

    @Option(names = "--layers", defaultValue = "4", description = "Layers of the default model.")
    int layers;

    @Option(names = "--width", defaultValue = "256", description = "Width of the default model.")
    int width;

    @Option(names = "--rounds", defaultValue = "12", description = "Timed updates per method; the figures are their medians.")
    int rounds;

    @Option(names = "--warmup", defaultValue = "20", description = "Untimed updates per method first: the JIT compiles for seconds,"
            + " and its threads then take a core from libtorch's (updates 2-4x slower while it does).")
    int warmup;

    @Option(names = "--batches", defaultValue = "4", description = "Rollout batches (consecutive prompts of the dataset), "
            + "used round by round: how much the teacher computes depends on the batch.")
    int batches;

    @Option(names = "--config", paramLabel = "FILE", description = "Training config (batch shape, objective settings).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training key (repeatable).")
    List<String> sets = new ArrayList<>(List.of());

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new sdpo4j.config.ConfigException("--rounds", rounds, "an integer >= 1");
        }
        if (batches < 1) {
            throw new sdpo4j.config.ConfigException("--batches", batches, "an integer >= 1");
        }
        if (warmup < 0) {
            throw new sdpo4j.config.ConfigException("--warmup", warmup, "an integer >= 0");
        }
        Path tmp = null;
        Path dir = model;
        if (dir == null) {
            tmp = Files.createTempDirectory("sdpo4j-train-bench");
            dir = tmp.resolve("model");
            try (NDManager m = NDManager.newBaseManager()) {
                TinyModels.create(dir, TinyModels.config("llama", layers, width, Math.max(1, width / 64), Math.max(1, width / 128),
                        4 * width, 512), 0, m);
            }
        }
        List<String> all = new ArrayList<>(List.of("prompts=8", "group-size=8", "micro-batch-prompts=8", "max-new-tokens=16",
                "dataset=datasets/arithmetic/train.jsonl"));
        all.addAll(sets);
        TrainConfig cfg = StepBenchmark.config(dir, config, all);
        try {
            StepBenchmark.Result r = StepBenchmark.run(cfg, List.of(ObjectiveKind.GRPO, ObjectiveKind.SDPO, ObjectiveKind.CREDIT),
                    warmup, rounds, batches);
            System.out.printf(Locale.ROOT, "model %s, %d prompts x %d responses, %d response tokens a batch; threads %s; generation %.3f s a batch%n",
                    model == null ? "random llama " + layers + "x" + width : dir, cfg.prompts(), cfg.groupSize(), r.responseTokens(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"), r.generationSeconds());
            System.out.printf(Locale.ROOT, "median of %d updates per method after %d warm-up updates, methods interleaved, %d batches in turn%n",
                    rounds, warmup, batches);
            System.out.println("method   update s   teacher s   training s   other s   (mean update s)");
            for (Map.Entry<ObjectiveKind, StepBenchmark.Timing> e : r.perMethod().entrySet()) {
                StepBenchmark.Timing t = e.getValue();
                System.out.printf(Locale.ROOT, "%-7s  %8.3f   %9.3f   %10.3f   %7.3f   (%.3f)%n", e.getKey().name().toLowerCase(Locale.ROOT),
                        t.total(), t.teacher(), t.training(), t.other(), t.meanTotal());
            }
            StepBenchmark.Timing grpo = r.perMethod().get(ObjectiveKind.GRPO);
            StepBenchmark.Timing sdpo = r.perMethod().get(ObjectiveKind.SDPO);
            StepBenchmark.Timing credit = r.perMethod().get(ObjectiveKind.CREDIT);
            System.out.printf(Locale.ROOT, "SDPO / GRPO = %.2fx (bar: <= 1.5x); Credit / SDPO = %.2fx (bar: <= 1.3x)   "
                    + "(means: %.2fx, %.2fx)%n", sdpo.total() / grpo.total(), credit.total() / sdpo.total(),
                    sdpo.meanTotal() / grpo.meanTotal(), credit.meanTotal() / sdpo.meanTotal());
        } finally {
            if (tmp != null) {
                AtomicFiles.deleteTree(tmp);
            }
        }
        return 0;
    }
}
