package sdpo4j.lm.model.family;

import java.util.List;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.DecoderSpec.Layout;
import sdpo4j.lm.model.DecoderSpec.Mlp;
import sdpo4j.lm.model.DecoderSpec.Norm;
import sdpo4j.lm.model.ModelConfig;

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
}
