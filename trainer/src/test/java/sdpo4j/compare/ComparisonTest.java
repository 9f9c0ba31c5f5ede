package sdpo4j.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

class ComparisonTest {
    @TempDir
    Path dir;

    @Test
    void runsEveryMethodAndSeedAndWritesATableAndFigures() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        CompareConfig cfg = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, null, List.of(
                "train.model=" + model, "train.dataset=../datasets/arithmetic/test.jsonl", "train.prompts-dir=../prompts",
                "train.steps=2", "train.prompts=2", "train.group-size=2", "train.max-new-tokens=3",
                "train.eval.dataset=../datasets/arithmetic/test.jsonl", "train.eval.every=1", "train.eval.max-tasks=2",
                "train.eval.samples=1", "methods=[grpo, credit]", "seeds=[0, 1]", "target-accuracy=0.0"));
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "cmp", false);
        Path report = Comparison.run(cfg, run, () -> false);
        String md = Files.readString(report);
        assertTrue(md.contains("| grpo | ") && md.contains("| credit | "), md);
        // target 0 is reached at the first evaluation, in both seeds
        assertTrue(md.contains(" | 1, 1 | "), md);
        for (String f : List.of("curves_by_step.png", "curves_by_time.png", "grpo-seed0/metrics.jsonl", "credit-seed1/metrics.jsonl")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(2, Files.readAllLines(run.resolve("credit-seed1/metrics.jsonl")).size());
    }
}
