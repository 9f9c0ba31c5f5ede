package sdpo4j.lm.model.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ConfigFields;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;

/**
 * Mistral ({@code model_type: mistral}): Llama's blocks, where every layer attends only to the
 * last {@code sliding_window} positions (Mistral-7B v0.1: 4096, HF's default when the field is
 * absent; null, as in v0.2 and v0.3, for none), and {@code head_dim} when the config sets it.
 */
public final class Mistral {
    /** HF's MistralConfig default when {@code sliding_window} is absent. */
    static final int DEFAULT_WINDOW = 4096;

    private Mistral() {}

    public static DecoderSpec describe(ModelConfig c) {
        DecoderSpec llama = Llama.describe(c);
        return new DecoderSpec(llama.norm(), llama.layout(), false, false, false, llama.mlp(), false, llama.positions(),
                c.tieWordEmbeddings(), llama.names(), DecoderSpec.QkNorm.NONE, false,
                new DecoderSpec.Attention(0, 0, c.variant().slidingWindow(), List.of(), null), 0);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        var variant = new ModelConfig.Variant(RopeFields.headDim(f, 0), RopeFields.slidingWindow(f, DEFAULT_WINDOW), List.of(),
                0, 0, 0, 0);
        return RopeFields.parse(Architecture.MISTRAL, type, f, "hidden_act", "silu", false, false, variant);
    }

    static void write(ModelConfig c, ObjectNode o) {
        RopeFields.write(c, o, "MistralForCausalLM", "hidden_act", "silu");
        o.remove("attention_bias");
        if (c.variant().slidingWindow() > 0) {
            o.put("sliding_window", c.variant().slidingWindow());
        } else {
            o.putNull("sliding_window");
        }
    }
}
