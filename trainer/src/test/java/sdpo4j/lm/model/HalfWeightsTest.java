package sdpo4j.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** A model stored in fp16 ({@code memory.teacher-half}) computes what its fp32 original does, up to fp16's rounding of the weights. */
class HalfWeightsTest {
    @Test
    void halfModelGivesTheFp32LogitsWithinWeightRounding() {
        for (String family : new String[] {"llama-gqa", "qwen2-bias", "gemma3", "gpt2"}) {
            try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
                ModelConfig cfg = GoldenModels.config(family);
                DecoderLM full = DecoderLM.initialise(cfg, m, 3);
                DecoderLM half = DecoderLM.initialise(cfg, m, 3).inHalf();
                half.parameters().values().forEach(a -> assertEquals(DataType.FLOAT16, a.getDataType()));
                NDArray ids = m.create(new long[] {1, 5, 9, 2, 7, 3}, new Shape(1, 6));
                NDArray pos = m.arange(0, 6, 1, DataType.INT64).reshape(1, 6);
                float[] a = full.forward(ids, pos, ids.onesLike(), null).toFloatArray();
                NDArray hl = half.forward(ids, pos, ids.onesLike(), null);
                assertEquals(DataType.FLOAT32, hl.getDataType());
                float[] b = hl.toFloatArray();
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                    scale = Math.max(scale, Math.abs(a[i]));
                }
                // fp16 weights carry a relative error of at most 2^-11; the logits inherit about that.
                assertTrue(worst <= 2e-3 * scale, family + ": worst logit difference " + worst + " of " + scale);
                assertTrue(worst > 0, family + ": identical logits, so the weights were not rounded to fp16");
            }
        }
    }
}
