package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

/**
 * One SDPO step through the whole trainer on a tiny model of every supported family (the
 * families' own blocks: Gemma 3's sliding layers, Phi-3's fused projections, OLMo 2's post-norms,
 * Mistral's window), and the saved model reloads as the trained weights: a user's first
 * {@code train} on any family runs end to end, not only the forward pass the goldens check.
 */
class EveryFamilyTrainsTest {
    @TempDir
    Path dir;

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    @ParameterizedTest
    @MethodSource("families")
    void oneStepTrainsAndTheSavedModelHoldsTheUpdate(String family) throws Exception {
        Path model = dir.resolve(family);
        Map<String, float[]> initial = new java.util.HashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM lm = TinyModels.create(model, TinyModels.config(family, 1, 32, 2, 1, 64, 256), 0, m);
            lm.parameters().forEach((k, v) -> initial.put(k, v.toFloatArray()));
        }
        List<String> sets = List.of("model=" + model, "dataset=../datasets/arithmetic/test.jsonl",
                "prompts-dir=../prompts", "eval.dataset=", "prompts=2", "group-size=2", "max-new-tokens=3", "lr=0.01",
                "steps=1", "warmup-steps=0", "completions-every=0");
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, sets);
        Trainer.Outcome o = Trainer.of(cfg, RunDirectory.create(dir.resolve("runs"), family, false)).run();
        assertEquals(1, o.stepsDone());
        Map<?, ?> metrics = new ObjectMapper().readValue(
                Files.readAllLines(dir.resolve("runs/" + family + "/" + RunDirectory.METRICS_FILE)).get(0), Map.class);
        double gradNorm = ((Number) metrics.get("grad_norm")).doubleValue();
        assertTrue(Double.isFinite(gradNorm) && gradNorm > 0, family + ": grad_norm " + gradNorm);
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM saved = HfCheckpoint.load(o.finalModel(), m);
            assertEquals(initial.keySet(), saved.parameters().keySet(), family);
            boolean moved = false;
            for (Map.Entry<String, NDArray> e : saved.parameters().entrySet()) {
                moved |= !java.util.Arrays.equals(initial.get(e.getKey()), e.getValue().toFloatArray());
            }
            assertTrue(moved, family + ": the saved model equals the initial one: the step did not reach the weights");
        }
    }
}
