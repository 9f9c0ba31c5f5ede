package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

class TrainerTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void tinyModel() {
        model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
    }

    TrainConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("model=" + model, "dataset=../datasets/arithmetic/test.jsonl",
                "prompts-dir=../prompts", "prompts=2", "group-size=3", "max-new-tokens=5", "lr=0.001",
                "eval.dataset=../datasets/arithmetic/test.jsonl", "eval.max-tasks=3", "eval.samples=2"));
        all.addAll(List.of(sets));
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, all);
    }

    static List<Map<?, ?>> metrics(RunDirectory run) throws Exception {
        List<Map<?, ?>> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            out.add(new ObjectMapper().readValue(l, Map.class));
        }
        return out;
    }

    @Test
    void aShortRunWritesMetricsCompletionsCheckpointsAndALoadableModel() throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "t", false);
        Trainer.Outcome o = Trainer.of(config("steps=2", "completions-every=1", "objective.name=credit", "eval.every=1",
                "checkpoint.every=1", "checkpoint.keep-last=1"), run).run();
        List<Map<?, ?>> lines = metrics(run);
        assertEquals(2, lines.size());
        for (String k : List.of("step", "loss", "reward_mean", "reward_std", "success_frac", "zero_std_frac", "teacher_frac",
                "feedback_used_frac", "kl", "entropy", "grad_norm", "learning_rate", "response_length_mean",
                "response_length_max", "gen_tokens_per_s", "train_tokens_per_s", "gen_seconds", "teacher_seconds",
                "train_seconds", "credit_signal", "eval_greedy_accuracy", "eval_avg@2", "wall_time")) {
            assertTrue(lines.get(1).containsKey(k), k + " in " + lines.get(1).keySet());
        }
        List<String> completions = Files.readAllLines(run.resolve("completions.jsonl"));
        assertEquals(2 * 2 * 3, completions.size());
        assertTrue(completions.get(0).contains("\"teacher_context\""), completions.get(0));
        // keep-last 1, plus the best by eval accuracy if it is another step
        List<Long> kept = new Checkpoints(run.path()).steps();
        assertTrue(kept.contains(2L) && kept.size() <= 2, kept.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(HfCheckpoint.load(model, m).config(), HfCheckpoint.load(o.finalModel(), m).config());
        }
        assertTrue(Files.exists(o.finalModel().resolve("tokenizer.json")));
    }

    /** Timing fields differ between runs by nature; everything else must be bit-identical. */
    static List<Map<?, ?>> withoutTimes(List<Map<?, ?>> lines) {
        List<Map<?, ?>> out = new ArrayList<>();
        for (Map<?, ?> l : lines) {
            Map<Object, Object> c = new java.util.LinkedHashMap<>(l);
            c.keySet().removeIf(k -> k.toString().endsWith("_seconds") || k.toString().endsWith("per_s") || k.equals("wall_time"));
            out.add(c);
        }
        return out;
    }

    @Test
    void aStoppedAndResumedRunEqualsAnUninterruptedOneBitForBit() throws Exception {
        String[] common = {"objective.name=credit", "eval.every=2", "checkpoint.every=2", "optimizer-steps-per-rollout=2",
                "warmup-steps=3", "ema-rate=0.3"};
        RunDirectory straight = RunDirectory.create(dir.resolve("runs"), "straight", false);
        Trainer.of(config(concat(common, "steps=4")), straight).run();

        RunDirectory split = RunDirectory.create(dir.resolve("runs"), "split", false);
        int[] calls = {0};
        Trainer.Outcome first = Trainer.of(config(concat(common, "steps=4")), split).stopWhen(() -> ++calls[0] == 1).run();
        assertTrue(first.stopped());
        assertEquals(1, first.stepsDone());
        // A kill after step 2's checkpoint would leave a line of step 3 behind; resume must drop it.
        Files.writeString(split.resolve("metrics.jsonl"), "{\"step\":3,\"loss\":", java.nio.file.StandardOpenOption.APPEND);
        Trainer.Outcome second = Trainer.of(config(concat(common, "steps=4")), split).resume(true).run();
        assertFalse(second.stopped());

        assertEquals(withoutTimes(metrics(straight)), withoutTimes(metrics(split)));
        assertArrayEquals(Files.readAllBytes(straight.resolve("final/model.safetensors")),
                Files.readAllBytes(split.resolve("final/model.safetensors")));
        assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoints/step-000004/teacher/model.safetensors")),
                Files.readAllBytes(split.resolve("checkpoints/step-000004/teacher/model.safetensors")));
    }

    @Test
    void aNanLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "nan", false);
        TrainingException e = assertThrows(TrainingException.class,
                () -> Trainer.of(config("steps=4", "checkpoint.every=2", "eval.every=0"), run).poisonLossAt(3, Double.POSITIVE_INFINITY).run());
        assertTrue(e.getMessage().startsWith("step 3: loss is Infinity; stopped before applying it. Last good checkpoint: ")
                && e.getMessage().endsWith("step-000002"), e.getMessage());
        assertEquals(List.of(2L), new Checkpoints(run.path()).steps());
        assertEquals(2, metrics(run).size());
        try (NDManager m = NDManager.newBaseManager()) {
            HfCheckpoint.load(run.resolve("checkpoints/step-000002/model"), m);
        }
        // ... and the run can go on from it.
        Trainer.Outcome o = Trainer.of(config("steps=3", "checkpoint.every=2", "eval.every=0"), run).resume(true).run();
        assertEquals(3, o.stepsDone());
    }

    @Test
    void resumingWithoutACheckpointSaysSo() {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "empty", false);
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.of(config("steps=2"), run).resume(true).run());
        assertTrue(e.getMessage().startsWith("nothing to resume: ") && e.getMessage().contains("holds no complete checkpoint"), e.getMessage());
    }

    @Test
    void aConfigWithEveryOptionSetLoadsAndRunsOneStep() throws Exception {
        Path yaml = dir.resolve("all.yaml");
        Files.writeString(yaml, String.join("\n",
                "model: " + model,
                "dataset: ../datasets/arithmetic/test.jsonl",
                "env: {name: arithmetic, arithmetic: {digits: 1, operators: ['+'], terms: 2, reveal-answer: true},",
                "      countdown-partial-credit: 0.1, sequence-oracle: binary, sequence-sigma: 0.1, success-threshold: 0.5,",
                "      python: /usr/bin/python3}",
                "objective: {name: hybrid, divergence: {top-k: 5, topk-source: teacher, tail-bucket: false, temperature: 0.9,",
                "            alpha: 0.5, is-clip: 1.5}, grpo: {scale-std: false, eps-low: 0.1, eps-high: 0.3, kl-beta: 0.0,",
                "            aggregation: seq-mean-token-mean}, credit-lambda: 0.2,",
                "            hybrid: {tau: 0.3, fallback: grpo, force-alpha: 0.7}, advantage-epsilon: 1.0e-5}",
                "steps: 1", "prompts: 2", "group-size: 2", "micro-batch-prompts: 1", "optimizer-steps-per-rollout: 2",
                "lr: 1.0e-4", "warmup-steps: 4", "adam-beta1: 0.8", "adam-beta2: 0.99", "adam-epsilon: 1.0e-6",
                "weight-decay: 0.01", "ema-rate: 0.1", "ema-schedule: rollout-batch", "max-grad-norm: 0.5",
                "max-new-tokens: 4", "temperature: 0.9", "reprompt: {feedback-only-without-solution: false}", "prompts-dir: ../prompts",
                "completions-every: 1",
                "eval: {dataset: ../datasets/arithmetic/test.jsonl, every: 1, max-tasks: 2, samples: 2}",
                "checkpoint: {every: 1, keep-last: 3, best-metric: eval_avg@2, best-mode: min}",
                "seed: 9", ""));
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, yaml, List.of());
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "all", false);
        Trainer.of(cfg, run).run();
        Map<?, ?> line = metrics(run).get(0);
        assertEquals(0.7, ((Number) line.get("alpha")).doubleValue(), 1e-6);
        assertEquals(0.5e-4, ((Number) line.get("learning_rate")).doubleValue(), 1e-12);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> out = new ArrayList<>(List.of(a));
        out.addAll(List.of(b));
        return out.toArray(new String[0]);
    }
}
