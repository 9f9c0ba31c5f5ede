package sdpo4j.lm.model.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ConfigFields;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.DecoderSpec.Layout;
import sdpo4j.lm.model.DecoderSpec.Mlp;
import sdpo4j.lm.model.DecoderSpec.Norm;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * Phi-3 ({@code model_type: phi3}, also Phi-3.5-mini and Phi-4-mini's layout): Llama's blocks with
 * q, k and v in one projection {@code qkv_proj} (rows q, then k, then v) and the MLP's gate and up
 * in one {@code gate_up_proj} (gate first), and a sliding window on every layer when
 * {@code sliding_window} is set (Phi-3-mini-4k: 2047). RoPE scalings other than Llama's
 * ({@code longrope}) and partial rotary factors are refused.
 */
public final class Phi3 {
    private Phi3() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.",
                "input_layernorm", List.of("self_attn.qkv_proj"), "self_attn.o_proj", "post_attention_layernorm",
                List.of("mlp.gate_up_proj", "mlp.down_proj"), "", List.of("rotary_emb.inv_freq"));
        return new DecoderSpec(Norm.RMS, Layout.LINEAR, true, false, false, Mlp.FUSED_GATED_SILU, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names,
                DecoderSpec.QkNorm.NONE, false, new DecoderSpec.Attention(0, 0, c.variant().slidingWindow(), List.of(), null), 0);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        double partial = f.optNumber("partial_rotary_factor", 1.0);
        if (partial != 1.0) {
            throw new ModelException(f.file() + ": partial_rotary_factor " + partial + " is not supported; allowed: 1.0");
        }
        if (f.optBoolean("attention_bias", false)) {
            throw new ModelException(f.file() + ": attention_bias true is not supported for phi3");
        }
        var variant = new ModelConfig.Variant(0, RopeFields.slidingWindow(f, 0), List.of(), 0, 0, 0, 0);
        return RopeFields.parse(Architecture.PHI3, type, f, "hidden_act", "silu", false, false, variant);
    }

    static void write(ModelConfig c, ObjectNode o) {
        RopeFields.write(c, o, "Phi3ForCausalLM", "hidden_act", "silu");
        if (c.variant().slidingWindow() > 0) {
            o.put("sliding_window", c.variant().slidingWindow());
        } else {
            o.putNull("sliding_window");
        }
    }
}
