package sdpo4j.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.optim.Autograd;

/** Activation checkpointing gives every parameter the gradient of the plain pass. */
class LayerCheckpointsTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2", "gemma3"})
    void aCheckpointedBackwardGivesThePlainGradients(String family) {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig cfg = TinyModels.config(family, 3, 16, 2, family.equals("gpt2") ? 2 : 1, 24, 32);
            DecoderLM plain = DecoderLM.initialise(cfg, m, 4);
            plain.parameterList().forEach(p -> p.setRequiresGradient(true));
            NDArray weights = m.randomNormal(new Shape(2, 5, cfg.vocabSize()));
            Map<String, float[]> want = gradients(plain, weights, m);
            Map<String, float[]> got = gradients(plain.checkpointed(true), weights, m);
            double total = 0;
            for (String k : want.keySet()) {
                assertArrayEquals(want.get(k), got.get(k), 1e-5f, k);
                for (float g : want.get(k)) {
                    total += Math.abs(g);
                }
            }
            assertTrue(total > 0);
        }
    }

    private static Map<String, float[]> gradients(DecoderLM model, NDArray weights, NDManager m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager mm = m.newSubManager(); Autograd.Recording rec = Autograd.record()) {
            NDArray ids = mm.create(new long[][] {{5, 9, 2, 31, 7}, {14, 1, 38, 20, 6}});
            NDArray positions = mm.arange(0L, 5L).expandDims(0).repeat(0, 2);
            NDArray logits = model.forward(ids, positions, mm.ones(new Shape(2, 5), DataType.INT64), null);
            rec.backward(logits.mul(weights).sum());
        }
        model.parameters().forEach((k, v) -> out.put(k, v.getGradient().toFloatArray()));
        Autograd.zeroGradients(model.parameterList());
        return out;
    }
}
