package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Trainable additions to a frozen model's projections (LoRA adapters, {@code sdpo4j.lm.lora}).
 * A {@link DecoderLM#adapted adapted} model reads its base weights from the model it was made
 * from, so a student and its teacher each with their own adaptation hold the base once.
 */
public interface Adaptation {
    /**
     * What the adaptation adds to the output of projection {@code stem} (e.g.
     * {@code model.layers.0.self_attn.q_proj}) for its input {@code x}, or null when it leaves
     * that projection alone.
     */
    NDArray outputDelta(String stem, NDArray x);

    /**
     * The same addition as a change of the weight {@code [out, in]}, or null: what decoding's
     * fused projections ({@code Block.fusedQkv}) and merging read.
     */
    NDArray weightDelta(String stem);

    /** The trainable arrays by name, in a fixed order: what the optimizer and the EMA teacher walk. */
    Map<String, NDArray> parameters();
}
