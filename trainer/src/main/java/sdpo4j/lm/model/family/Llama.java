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
 * Llama ({@code model_type: llama}, also SmolLM and SmolLM2) and Qwen2 ({@code qwen2}, also
 * Qwen2.5): RMSNorm, RoPE with its base and scaling, separate q/k/v projections stored
 * {@code [out, in]} (with biases for Qwen2; {@code attention_bias} biases q/k/v and o), grouped-query attention,
 * SwiGLU MLP, no other biases.
 */
public final class Llama {
    private Llama() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.",
                "input_layernorm", List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj",
                "post_attention_layernorm", List.of("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"), "",
                List.of("rotary_emb.inv_freq"));
        // Llama's attention_bias biases o_proj too (as in Qwen3, OLMo 2, Gemma 3); Qwen2's bias is on q/k/v only.
        boolean outBias = c.qkvBias() && !c.modelType().equals("qwen2");
        return new DecoderSpec(Norm.RMS, Layout.LINEAR, false, c.qkvBias(), outBias, Mlp.GATED_SILU, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        if (type.equals("qwen2")) {
            // Qwen2 slides its upper layers when asked; the released models do not ask.
            RopeFields.refuseTrue(f, "use_sliding_window", type);
            RopeFields.refuseSlidingLayerTypes(f, type);
        } else {
            RopeFields.refuseTrue(f, "mlp_bias", type);
            int heads = f.integer("num_attention_heads");
            int headDim = RopeFields.headDim(f, f.integer("hidden_size") / heads);
            if (headDim * heads != f.integer("hidden_size")) {
                throw new ModelException(f.file() + ": head_dim " + headDim + " is not supported for llama; allowed: hidden_size / "
                        + "num_attention_heads = " + f.integer("hidden_size") / heads);
            }
        }
        boolean bias = type.equals("qwen2") || f.optBoolean("attention_bias", false);
        return RopeFields.parse(Architecture.LLAMA, type, f, "hidden_act", "silu", bias, false, ModelConfig.Variant.NONE);
    }

    /** The config.json fields of this family. */
    static void write(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add(c.modelType().equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        o.put("hidden_size", c.hiddenSize());
        o.put("num_hidden_layers", c.numLayers());
        o.put("num_attention_heads", c.numHeads());
        o.put("num_key_value_heads", c.numKvHeads());
        o.put("intermediate_size", c.intermediateSize());
        o.put("max_position_embeddings", c.maxPositions());
        o.put("rms_norm_eps", c.normEps());
        o.put("rope_theta", c.ropeTheta());
        o.put("hidden_act", "silu");
        if (!c.modelType().equals("qwen2")) {
            o.put("attention_bias", c.qkvBias());
        }
        if (c.ropeScaling() != null) {
            RopeFields.writeScaling(c.ropeScaling(), o);
        }
    }
}
