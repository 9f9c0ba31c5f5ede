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
 * Qwen3 ({@code model_type: qwen3}, the dense models): Llama's blocks without q/k/v bias (unless
 * {@code attention_bias}), an RMSNorm over each head of q and of k before RoPE ({@code q_norm},
 * {@code k_norm}, one weight {@code [head_dim]} each), and {@code head_dim} set apart from
 * {@code hidden_size / num_attention_heads} (Qwen3-0.6B: 1024 / 16 heads, head_dim 128).
 */
public final class Qwen3 {
    /** HF's Qwen3Config default when {@code head_dim} is absent. */
    static final int DEFAULT_HEAD_DIM = 128;

    private Qwen3() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.",
                "input_layernorm", List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj",
                "post_attention_layernorm", List.of("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"), "",
                List.of("rotary_emb.inv_freq"), "self_attn.q_norm", "self_attn.k_norm", null, null);
        return new DecoderSpec(Norm.RMS, Layout.LINEAR, false, c.qkvBias(), c.qkvBias(), Mlp.GATED_SILU, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names,
                DecoderSpec.QkNorm.PER_HEAD, false, DecoderSpec.Attention.PLAIN, 0);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        // Qwen3 slides its upper layers when asked; the released models do not ask.
        RopeFields.refuseTrue(f, "use_sliding_window", type);
        RopeFields.refuseSlidingLayerTypes(f, type);
        var variant = new ModelConfig.Variant(RopeFields.headDim(f, DEFAULT_HEAD_DIM), 0, List.of(), 0, 0, 0, 0);
        return RopeFields.parse(Architecture.QWEN3, type, f, "hidden_act", "silu", f.optBoolean("attention_bias", false),
                false, variant);
    }

    static void write(ModelConfig c, ObjectNode o) {
        RopeFields.write(c, o, "Qwen3ForCausalLM", "hidden_act", "silu");
        o.put("use_sliding_window", false);
    }
}
