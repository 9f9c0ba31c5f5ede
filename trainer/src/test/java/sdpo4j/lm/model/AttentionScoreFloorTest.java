package sdpo4j.lm.model;

import sdpo4j.lm.scoring.TeacherForcing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.optim.Autograd;

/**
 * While recording gradients, attention scores far below their row's best are raised to
 * {@link DecoderLM#SCORE_GAP} below it (their probabilities were subnormal floats, slow in every
 * multiply of the backward). The logits must not move: on a model whose q and k weights are
 * scaled up until its heads attend with score gaps in the hundreds, logits computed while
 * recording equal those computed without, padding and a packed block-causal mask included.
 */
class AttentionScoreFloorTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "gpt2"})
    void logitsWhileRecordingEqualLogitsWithout(String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = GoldenModels.model(name, m);
            for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                String k = p.getKey();
                if (k.contains("q_proj.weight") || k.contains("k_proj.weight") || k.contains("c_attn.weight")) {
                    p.getValue().muli(12);
                }
            }
            List<long[]> contexts = List.of(new long[] {5, 9, 2, 30, 31, 17}, new long[] {14, 1});
            List<long[]> responses = List.of(new long[] {7, 7, 12, 3}, new long[] {38, 20, 4, 4, 9, 1});
            float[] plain = TeacherForcing.score(model, m, contexts, responses, 0).logits().toFloatArray();
            float[] recorded;
            try (Autograd.Recording rec = Autograd.record()) {
                recorded = TeacherForcing.score(model, m, contexts, responses, 0).logits().toFloatArray();
            }
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < plain.length; i++) {
                scale = Math.max(scale, Math.abs(plain[i]));
                diff = Math.max(diff, Math.abs(plain[i] - recorded[i]));
            }
            assertTrue(scale > 1, "logits too small to test anything: " + scale);
            assertEquals(0, diff, 1e-5 * scale, name + ": largest logit difference");
        }
    }
}
