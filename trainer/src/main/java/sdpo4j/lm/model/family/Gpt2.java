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
 * GPT-2 ({@code model_type: gpt2}): learned positions, LayerNorm, one fused q/k/v projection,
 * every projection a Conv1D stored {@code [in, out]} with a bias, tanh-GELU MLP.
 */
public final class Gpt2 {
    private Gpt2() {}

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("transformer.wte.weight", "lm_head.weight", "transformer.ln_f", "transformer.h.",
                "ln_1", List.of("attn.c_attn"), "attn.c_proj", "ln_2", List.of("mlp.c_fc", "mlp.c_proj"),
                "transformer.", List.of(".attn.bias", ".attn.masked_bias"));
        return new DecoderSpec(Norm.LAYER, Layout.CONV1D, true, true, true, Mlp.GELU_TANH, true,
                new DecoderSpec.Learned("transformer.wpe.weight"), c.tieWordEmbeddings(), names);
    }

    static ModelConfig parse(String type, ConfigFields f) {
        int hidden = f.integer("n_embd");
        int heads = f.integer("n_head");
        String act = f.optText("activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new ModelException(f.file() + ": activation_function '" + act + "' is not supported; allowed: gelu_new");
        }
        return new ModelConfig(Architecture.GPT2, type, f.integer("vocab_size"), hidden, f.integer("n_layer"),
                heads, heads, f.optInteger("n_inner", 4 * hidden), f.integer("n_positions"),
                f.optNumber("layer_norm_epsilon", 1e-5), 0, null, f.optBoolean("tie_word_embeddings", true),
                true, f.optTokenId("bos_token_id", -1), f.ids("eos_token_id"));
    }

    /** The config.json fields of this family. */
    static void write(ModelConfig c, ObjectNode o) {
        o.putArray("architectures").add("GPT2LMHeadModel");
        o.put("n_embd", c.hiddenSize());
        o.put("n_layer", c.numLayers());
        o.put("n_head", c.numHeads());
        o.put("n_inner", c.intermediateSize());
        o.put("n_positions", c.maxPositions());
        o.put("n_ctx", c.maxPositions());
        o.put("layer_norm_epsilon", c.normEps());
        o.put("activation_function", "gelu_new");
    }
}
