package sdpo4j.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

class ComparisonTest {
    @TempDir
    Path dir;

    @Test
    void runsEveryMethodAndSeedTwoAtATimeAndWritesIntervalsVerdictsAndFigures() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        List<String> sets = List.of(
                "train.model=" + model, "train.dataset=../datasets/arithmetic/test.jsonl", "train.prompts-dir=../prompts",
                "train.steps=2", "train.prompts=2", "train.group-size=2", "train.max-new-tokens=3",
                "train.eval.dataset=../datasets/arithmetic/test.jsonl", "train.eval.every=1", "train.eval.max-tasks=3",
                "train.eval.samples=1", "methods=[grpo, credit]", "seeds=[0, 1]", "target-accuracy=0.0", "parallel-runs=2");
        CompareConfig cfg = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, null, sets);
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "cmp", false);
        Path report = Comparison.run(cfg, run, () -> false);
        String md = Files.readString(report);
        assertTrue(md.contains("| grpo | ") && md.contains("| credit | "), md);
        assertTrue(md.contains("**credit vs grpo: "), md);
        assertTrue(md.contains("(parallel-runs 2)") && md.contains("(3 tasks)"), md);
        // target 0 is reached at the first evaluation (step 1, 4 generations) in both seeds
        assertTrue(md.contains("| grpo | 2/2 | 1.000 [1.000, 1.000] | 4.000 [4.000, 4.000] | "), md);
        for (String f : List.of("curves_by_step.png", "curves_by_tokens.png", "curves_by_time.png", "grpo-seed0/metrics.jsonl",
                "credit-seed1/metrics.jsonl")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        List<String> lines = Files.readAllLines(run.resolve("credit-seed1/metrics.jsonl"));
        assertEquals(2, lines.size());
        Map<?, ?> last = new ObjectMapper().readValue(lines.get(1), Map.class);
        List<?> perTask = (List<?>) last.get("eval_greedy_accuracy_per_task");
        assertEquals(3, perTask.size());
        double mean = perTask.stream().mapToDouble(v -> ((Number) v).doubleValue()).average().orElseThrow();
        assertEquals(((Number) last.get("eval_greedy_accuracy")).doubleValue(), mean, 1e-12);

        // the same runs one at a time: identical results, only the times differ
        RunDirectory serial = RunDirectory.create(dir.resolve("runs"), "serial", false);
        Comparison.run(ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, null,
                java.util.stream.Stream.concat(sets.stream(), java.util.stream.Stream.of("parallel-runs=1")).toList()), serial, () -> false);
        for (String r : List.of("grpo-seed0", "grpo-seed1", "credit-seed0", "credit-seed1")) {
            assertEquals(withoutTimes(run.resolve(r + "/metrics.jsonl")), withoutTimes(serial.resolve(r + "/metrics.jsonl")), r);
        }
    }

    private static List<Map<?, ?>> withoutTimes(Path metrics) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<?, ?>> out = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(metrics)) {
            Map<?, ?> m = json.readValue(l, Map.class);
            m.keySet().removeIf(k -> k.toString().endsWith("seconds") || k.toString().endsWith("_per_s")
                    || k.toString().equals("wall_time"));
            out.add(m);
        }
        return out;
    }
}
