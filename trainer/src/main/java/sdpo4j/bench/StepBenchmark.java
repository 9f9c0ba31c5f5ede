package sdpo4j.bench;

import sdpo4j.train.RolloutGroup;
import sdpo4j.train.SelfDistillationStep;
import sdpo4j.train.TrainConfig;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.Datasets;
import sdpo4j.env.Environment;
import sdpo4j.env.Environments;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.stats.Median;

/**
 * Time of one update (everything after generation: context building, teacher scoring,
 * student forward/backward, optimizer, EMA) per objective, on one fixed rollout batch, methods
 * interleaved round by round so that machine noise hits them alike.
 */
public final class StepBenchmark {
    private StepBenchmark() {}

    /**
     * Seconds per update, split into {@code teacher} scoring, {@code training} and {@code other}
     * (building the contexts): each the median over the timed rounds; and the mean total.
     */
    public record Timing(double total, double teacher, double training, double other, double meanTotal) {}

    public record Result(double generationSeconds, long responseTokens, Map<ObjectiveKind, Timing> perMethod) {}

    /**
     * @param warmup untimed rounds first: the JIT compiles for seconds, and while its threads take
     *     a core, two libtorch threads wait on each other (updates measured 2-4x slower)
     * @param rounds timed rounds; the median resists the odd round a background thread slowed
     * @param batches rollout batches (the dataset's first prompts, batch after batch), used round
     *     by round: the teacher's work depends on the batch (how many distinct contexts), and
     *     one batch can be an easy one (measured: 8 to 39 distinct contexts among 64 responses)
     */
    public static Result run(TrainConfig base, List<ObjectiveKind> methods, int warmup, int rounds, int batches) {
        if (rounds < 1 || warmup < 0 || batches < 1) {
            throw new IllegalArgumentException("rounds and batches must be at least 1 and warm-up rounds at least 0: "
                    + rounds + ", " + batches + ", " + warmup);
        }
        Environment env = Environments.create(base.env());
        List<Task> all = Datasets.read(Path.of(base.dataset()), env);
        if (all.size() < batches * base.prompts()) {
            throw new sdpo4j.config.ConfigException("batches", batches, "at most " + all.size() / base.prompts() + " (" + base.dataset()
                    + " has " + all.size() + " tasks, " + base.prompts() + " a batch)");
        }
        Path modelDir = Path.of(base.model());
        try (NDManager m = NDManager.newBaseManager()) {
            try (Tokenizer tok = Tokenizer.load(modelDir, ModelConfig.read(modelDir))) {
                DecoderLM student = HfCheckpoint.load(modelDir, m);
                TeacherContexts contexts = new TeacherContexts(
                        TeacherContexts.Templates.load(Path.of(base.promptsDir()), base.env().name()), base.reprompt());
                Map<ObjectiveKind, SelfDistillationStep> steps = new LinkedHashMap<>();
                for (ObjectiveKind k : methods) {
                    TrainConfig cfg = base.withObjectiveName(k);
                    DecoderLM teacher = HfCheckpoint.load(modelDir, m);
                    AdamW adam = new AdamW(student.parameters(), m, cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEpsilon(), cfg.weightDecay());
                    steps.put(k, new SelfDistillationStep(student, teacher, tok, env, contexts, cfg, adam));
                }
                SelfDistillationStep first = steps.values().iterator().next();
                List<List<RolloutGroup>> rollouts = new ArrayList<>();
                long g0 = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    rollouts.add(first.rollouts(m, all.subList(b * base.prompts(), (b + 1) * base.prompts()), base.groupSize(),
                            SamplingConfig.builder().temperature(base.temperature()).maxNewTokens(base.maxNewTokens())
                                    .seed(base.seed() + b).build()));
                }
                double gen = (System.nanoTime() - g0) / 1e9 / batches;
                long tokens = rollouts.stream().flatMap(List::stream).flatMap(g -> g.responses().stream())
                        .mapToLong(r -> r.tokens().length).sum() / batches;
                Map<ObjectiveKind, double[][]> times = new LinkedHashMap<>();
                for (int r = -warmup; r < rounds; r++) {
                    for (Map.Entry<ObjectiveKind, SelfDistillationStep> e : steps.entrySet()) {
                        long t0 = System.nanoTime();
                        List<RolloutGroup> groups = rollouts.get(Math.floorMod(r, batches));
                        Map<String, Double> metrics = e.getValue().update(m, groups, new SplittableRandom(r)).metrics();
                        double total = (System.nanoTime() - t0) / 1e9;
                        if (r >= 0) {
                            double[][] t = times.computeIfAbsent(e.getKey(), x -> new double[4][rounds]);
                            t[0][r] = total;
                            t[1][r] = metrics.get("teacher_seconds");
                            t[2][r] = metrics.get("train_seconds");
                            t[3][r] = total - t[1][r] - t[2][r];
                        }
                    }
                }
                Map<ObjectiveKind, Timing> out = new LinkedHashMap<>();
                times.forEach((k, t) -> out.put(k, new Timing(Median.of(t[0]), Median.of(t[1]), Median.of(t[2]), Median.of(t[3]),
                        java.util.Arrays.stream(t[0]).average().orElseThrow())));
                return new Result(gen, tokens, out);
            }
        }
    }

    /** The default benchmark setting on a model directory. */
    public static TrainConfig config(Path model, Path config, List<String> sets) {
        List<String> all = new ArrayList<>(List.of("model=" + model));
        all.addAll(sets);
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, config, all);
    }
}
