package sdpo4j.lm.model.family;

import java.util.List;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.DecoderSpec.Layout;
import sdpo4j.lm.model.DecoderSpec.Mlp;
import sdpo4j.lm.model.DecoderSpec.Norm;
import sdpo4j.lm.model.ModelConfig;

/**
 * Llama ({@code model_type: llama}, also SmolLM and SmolLM2) and Qwen2 ({@code qwen2}, also
 * Qwen2.5): RMSNorm, RoPE with its base and scaling, separate q/k/v projections stored
 * {@code [out, in]} (with biases for Qwen2 or {@code attention_bias}), grouped-query attention,
 * SwiGLU MLP, no other biases.
 */
public final class Llama {
    private Llama() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.",
                "input_layernorm", List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj",
                "post_attention_layernorm", List.of("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"), "",
                List.of("rotary_emb.inv_freq"));
        return new DecoderSpec(Norm.RMS, Layout.LINEAR, false, c.qkvBias(), false, Mlp.GATED_SILU, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names);
    }
}
