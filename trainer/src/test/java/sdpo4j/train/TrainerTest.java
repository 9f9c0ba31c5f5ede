package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.HfCheckpoint;
import sdpo4j.lm.TinyModels;
import sdpo4j.run.RunDirectory;

class TrainerTest {
    @TempDir
    Path dir;

    @Test
    void aShortRunWritesMetricsCompletionsAndALoadableModel() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of(
                "model=" + model, "dataset=../datasets/arithmetic/test.jsonl", "prompts-dir=../prompts", "steps=2",
                "prompts=2", "group-size=3", "max-new-tokens=5", "completions-every=1", "objective.name=credit"));
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "t", false);
        Path out = Trainer.run(cfg, run);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("{\"step\":1,\"wall_time\":") && lines.get(1).contains("\"credit_signal\""), lines.get(1));
        assertEquals(2 * 2 * 3, Files.readAllLines(run.resolve("completions.jsonl")).size());
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(HfCheckpoint.load(model, m).config(), HfCheckpoint.load(out, m).config());
        }
        assertTrue(Files.exists(out.resolve("tokenizer.json")));
    }
}
