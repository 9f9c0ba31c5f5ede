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

/**
 * OLMo 2 ({@code model_type: olmo2}): no norm before attention or the MLP; an RMSNorm on each one's
 * output before it joins the residual ({@code post_attention_layernorm},
 * {@code post_feedforward_layernorm}); q and k each RMS-normed over the whole projection
 * ({@code q_norm} {@code [heads * D]}, {@code k_norm} {@code [kvHeads * D]}) before RoPE; SwiGLU.
 */
public final class Olmo2 {
    private Olmo2() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.", null,
                List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj", null,
                List.of("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"), "", List.of("rotary_emb.inv_freq"),
                "self_attn.q_norm", "self_attn.k_norm", "post_attention_layernorm", "post_feedforward_layernorm");
        return new DecoderSpec(Norm.RMS, Layout.LINEAR, false, c.qkvBias(), c.qkvBias(), Mlp.GATED_SILU, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names,
                DecoderSpec.QkNorm.WHOLE, false, DecoderSpec.Attention.PLAIN, 0);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        return RopeFields.parse(Architecture.OLMO2, type, f, "hidden_act", "silu", f.optBoolean("attention_bias", false),
                false, ModelConfig.Variant.NONE);
    }

    static void write(ModelConfig c, ObjectNode o) {
        RopeFields.write(c, o, "Olmo2ForCausalLM", "hidden_act", "silu");
    }
}
