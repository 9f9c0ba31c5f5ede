package sdpo4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sdpo4j.env.Datasets;
import sdpo4j.env.Environment;
import sdpo4j.env.Environments;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.DecoderLM;
import sdpo4j.lm.Generation;
import sdpo4j.lm.HfCheckpoint;
import sdpo4j.lm.SamplingConfig;
import sdpo4j.lm.Tokenizer;
import sdpo4j.run.MetricsLog;
import sdpo4j.run.Progress;
import sdpo4j.run.RunDirectory;

/**
 * The fine-tuning loop, as far as issue 6 has got: shuffled prompts, one
 * {@link SelfDistillationStep} per step, {@code metrics.jsonl} every step,
 * {@code completions.jsonl} every N steps, and the final model as a HuggingFace directory
 * ({@code final/}). Checkpoints with trainer state, resume, evaluation and comparison are
 * still to come.
 */
public final class Trainer {
    private Trainer() {}

    public static Path run(TrainConfig cfg, RunDirectory dir) {
        Environment env = Environments.create(cfg.env());
        List<Task> tasks = Datasets.read(Path.of(cfg.dataset()), env);
        Path modelDir = Path.of(cfg.model());
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM student = HfCheckpoint.load(modelDir, m);
            DecoderLM teacher = HfCheckpoint.load(modelDir, m);
            try (Tokenizer tokenizer = Tokenizer.load(modelDir, student.config());
                    MetricsLog metrics = dir.openMetrics();
                    Progress progress = Progress.start("train", cfg.steps())) {
                Optimizer adam = Optimizer.adamW().optLearningRateTracker(Tracker.fixed((float) cfg.lr()))
                        .optWeightDecays((float) cfg.weightDecay()).build();
                TeacherContexts contexts = new TeacherContexts(
                        TeacherContexts.Templates.load(Path.of(cfg.promptsDir()), cfg.env().name()), cfg.feedbackWithSolution());
                SelfDistillationStep step = new SelfDistillationStep(student, teacher, tokenizer, env, contexts,
                        cfg.objective(), adam, cfg.emaRate(), cfg.maxGradNorm());
                SplittableRandom rng = new SplittableRandom(cfg.seed());
                List<Task> order = new ArrayList<>(tasks);
                int cursor = order.size();
                long start = System.nanoTime();
                for (int s = 0; s < cfg.steps(); s++) {
                    List<Task> batch = new ArrayList<>();
                    while (batch.size() < cfg.prompts()) {
                        if (cursor == order.size()) {
                            java.util.Collections.shuffle(order, new java.util.Random(rng.nextLong()));
                            cursor = 0;
                        }
                        batch.add(order.get(cursor++));
                    }
                    long t0 = System.nanoTime();
                    List<RolloutGroup> groups = step.rollouts(m, batch, cfg.groupSize(),
                            new SamplingConfig(cfg.temperature(), 0, 1, cfg.maxNewTokens(), List.of(), rng.nextLong()));
                    long t1 = System.nanoTime();
                    Map<String, Double> stepMetrics = step.update(m, groups, rng);
                    long t2 = System.nanoTime();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", s + 1);
                    line.put("wall_time", (t2 - start) / 1e9);
                    line.putAll(stepMetrics);
                    putRolloutStats(line, groups, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                    metrics.log(line);
                    if (cfg.completionsEvery() > 0 && (s + 1) % cfg.completionsEvery() == 0) {
                        writeCompletions(dir.resolve("completions.jsonl"), s + 1, groups);
                    }
                    progress.step(String.format(java.util.Locale.ROOT, "reward %.3f loss %.4f",
                            stepMetrics.get("reward_mean"), stepMetrics.get("loss")));
                }
            }
            Path out = dir.resolve("final");
            HfCheckpoint.save(student, out, modelDir);
            return out;
        }
    }

    private static void putRolloutStats(Map<String, Object> line, List<RolloutGroup> groups, double genSeconds, double trainSeconds) {
        int n = 0;
        int successes = 0;
        int zeroStd = 0;
        long tokens = 0;
        int maxLen = 0;
        for (RolloutGroup g : groups) {
            double first = g.scores().get(0).reward();
            boolean same = true;
            for (int i = 0; i < g.responses().size(); i++) {
                n++;
                successes += g.scores().get(i).success() ? 1 : 0;
                same &= g.scores().get(i).reward() == first;
                int len = g.responses().get(i).tokens().length;
                tokens += len;
                maxLen = Math.max(maxLen, len);
            }
            zeroStd += same ? 1 : 0;
        }
        line.put("success_frac", successes / (double) n);
        line.put("zero_std_frac", zeroStd / (double) groups.size());
        line.put("response_length_mean", tokens / (double) n);
        line.put("response_length_max", maxLen);
        line.put("gen_tokens_per_s", tokens / Math.max(genSeconds, 1e-9));
        line.put("gen_seconds", genSeconds);
        line.put("train_seconds", trainSeconds);
    }

    private static void writeCompletions(Path file, int step, List<RolloutGroup> groups) {
        ObjectMapper json = new ObjectMapper();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (RolloutGroup g : groups) {
                for (int i = 0; i < g.responses().size(); i++) {
                    Generation gen = g.responses().get(i);
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("step", step);
                    o.put("task", g.task().id());
                    o.put("prompt", g.task().prompt());
                    o.put("response", gen.text());
                    o.put("reward", g.scores().get(i).reward());
                    o.put("feedback", g.scores().get(i).feedback());
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
