package sdpo4j.lm.model.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
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
 * Gemma 3's text decoder ({@code model_type: gemma3_text}, Gemma-3-1B and the text part of the
 * larger ones saved alone): RMSNorm scaled by {@code (1 + w)}; the embedding times sqrt(hidden
 * size); a norm before and after attention and before and after the MLP; per-head q/k norms;
 * GeGLU (tanh-GELU gate); scores scaled by {@code query_pre_attn_scalar^-1/2} and soft-capped by
 * {@code attn_logit_softcapping} when set; layers alternate sliding-window attention with RoPE base
 * {@code rope_local_base_freq} (unscaled) and global attention with {@code rope_theta} and
 * {@code rope_scaling}: layer i is global when {@code (i + 1) % sliding_window_pattern == 0}, or as
 * {@code layer_types} lists; logits soft-capped by {@code final_logit_softcapping} when set.
 */
public final class Gemma3 {
    /** HF's Gemma3TextConfig defaults for fields a config.json may leave out. */
    static final int DEFAULT_HEAD_DIM = 256;
    static final int DEFAULT_WINDOW = 4096;
    static final int DEFAULT_PATTERN = 6;
    static final double DEFAULT_LOCAL_THETA = 10000;
    static final double DEFAULT_QUERY_PRE_ATTN_SCALAR = 256;
    /** The sliding layers' kind in {@code layer_types} and {@code rope_parameters}. */
    private static final String SLIDING = "sliding_attention";

    /**
     * HF's Gemma3TextConfig defaults, which a config.json leaves out when it relies on them (the
     * {@code text_config} of the multimodal releases sets only what differs: Gemma-3-4B's has no
     * vocab_size, heads or rope_theta). Token ids are left to the files that set them.
     */
    private static final String DEFAULTS = "{\"vocab_size\": 262208, \"hidden_size\": 2304, \"intermediate_size\": 9216,"
            + " \"num_hidden_layers\": 26, \"num_attention_heads\": 8, \"num_key_value_heads\": 4, \"max_position_embeddings\": 131072,"
            + " \"rms_norm_eps\": 1e-6, \"rope_theta\": 1000000.0}";

    private Gemma3() {}

    /**
     * The text decoder of the multimodal {@code gemma3} config ({@code Gemma3ForConditionalGeneration}):
     * its {@code text_config} over HF's defaults, with the top level's token ids and tying where
     * the text config does not set them. The result is a {@code gemma3_text} model; the
     * checkpoint's vision tensors are skipped on load ({@code TextTower}).
     */
    static ModelConfig parseTextTower(ConfigFields f) {
        JsonNode text = f.root().get("text_config");
        if (text == null || !text.isObject()) {
            throw new ModelException(f.file() + ": model_type 'gemma3' needs a 'text_config' object (the text decoder's settings)");
        }
        ObjectNode merged = ((ObjectNode) text).deepCopy();
        for (String key : List.of("bos_token_id", "eos_token_id", "tie_word_embeddings")) {
            if (!merged.hasNonNull(key) && f.root().hasNonNull(key)) {
                merged.set(key, f.root().get(key));
            }
        }
        String type = merged.path("model_type").asText("gemma3_text");
        if (!type.equals("gemma3_text")) {
            throw new ModelException(f.file() + ": text_config model_type '" + type + "' is not supported; allowed: gemma3_text");
        }
        return parse("gemma3_text", new ConfigFields(f.file() + " (text_config)", merged));
    }

    public static DecoderSpec describe(ModelConfig c) {
        var names = new DecoderSpec.Names("model.embed_tokens.weight", "lm_head.weight", "model.norm", "model.layers.",
                "input_layernorm", List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj",
                "pre_feedforward_layernorm", List.of("mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"), "",
                List.of("rotary_emb.inv_freq", "rotary_emb_local.inv_freq"), "self_attn.q_norm", "self_attn.k_norm",
                "post_attention_layernorm", "post_feedforward_layernorm");
        ModelConfig.Variant v = c.variant();
        var attention = new DecoderSpec.Attention(1 / Math.sqrt(v.queryPreAttnScalar()), v.attnSoftcap(), v.slidingWindow(),
                v.slidingLayers(), new DecoderSpec.Rotary(v.localRopeTheta(), null));
        return new DecoderSpec(Norm.RMS_PLUS_ONE, Layout.LINEAR, false, c.qkvBias(), c.qkvBias(), Mlp.GATED_GELU_TANH, false,
                new DecoderSpec.Rotary(c.ropeTheta(), c.ropeScaling()), c.tieWordEmbeddings(), names,
                DecoderSpec.QkNorm.PER_HEAD, true, attention, v.finalSoftcap());
    }

    static ModelConfig parse(String type, ConfigFields given) {
        ObjectNode withDefaults = (ObjectNode) readDefaults();
        given.root().fields().forEachRemaining(e -> withDefaults.set(e.getKey(), e.getValue()));
        ConfigFields f = new ConfigFields(given.file(), withDefaults);
        if (f.optBoolean("use_bidirectional_attention", false)) {
            throw new ModelException(f.file() + ": use_bidirectional_attention true (EmbeddingGemma) is not supported; allowed: false");
        }
        int layers = f.integer("num_hidden_layers");
        List<Boolean> sliding = new ArrayList<>();
        JsonNode types = f.root().get("layer_types");
        if (types != null && types.isArray()) {
            for (JsonNode t : types) {
                String kind = t.asText();
                if (!kind.equals("sliding_attention") && !kind.equals("full_attention")) {
                    throw new ModelException(f.file() + ": layer type '" + kind + "' is not supported; allowed: "
                            + "sliding_attention, full_attention");
                }
                sliding.add(kind.equals("sliding_attention"));
            }
        } else {
            int pattern = f.optInteger("sliding_window_pattern", DEFAULT_PATTERN);
            for (int i = 0; i < layers; i++) {
                sliding.add((i + 1) % pattern != 0);
            }
        }
        ModelConfig.RopeScaling localScaling = f.root().has("rope_parameters") ? f.ropeScaling(SLIDING) : null;
        if (localScaling != null) {
            throw new ModelException(f.file() + ": rope_parameters.sliding_attention type '" + localScaling.type()
                    + "' is not supported; allowed: default (Gemma 3's sliding layers are unscaled)");
        }
        var variant = new ModelConfig.Variant(RopeFields.headDim(f, DEFAULT_HEAD_DIM), f.optInteger("sliding_window",
                DEFAULT_WINDOW), sliding, f.ropeTheta(SLIDING, f.optNumber("rope_local_base_freq", DEFAULT_LOCAL_THETA)),
                f.optNumber("query_pre_attn_scalar", DEFAULT_QUERY_PRE_ATTN_SCALAR), f.optNumber("attn_logit_softcapping", 0),
                f.optNumber("final_logit_softcapping", 0));
        return RopeFields.parse(Architecture.GEMMA3, type, f, "hidden_activation", "gelu_pytorch_tanh",
                f.optBoolean("attention_bias", false), true, variant);
    }

    private static JsonNode readDefaults() {
        try {
            return new ObjectMapper().readTree(DEFAULTS);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(ModelConfig c, ObjectNode o) {
        RopeFields.write(c, o, "Gemma3ForCausalLM", "hidden_activation", "gelu_pytorch_tanh");
        ModelConfig.Variant v = c.variant();
        o.put("query_pre_attn_scalar", v.queryPreAttnScalar());
        o.put("sliding_window", v.slidingWindow());
        o.put("rope_local_base_freq", v.localRopeTheta());
        putCap(o, "attn_logit_softcapping", v.attnSoftcap());
        putCap(o, "final_logit_softcapping", v.finalSoftcap());
        // Both spellings: older transformers read the pattern, newer ones layer_types.
        int pattern = pattern(v.slidingLayers());
        if (pattern > 0) {
            o.put("sliding_window_pattern", pattern);
        }
        ArrayNode types = o.putArray("layer_types");
        v.slidingLayers().forEach(s -> types.add(s ? "sliding_attention" : "full_attention"));
    }

    private static void putCap(ObjectNode o, String field, double cap) {
        if (cap > 0) {
            o.put(field, cap);
        } else {
            o.putNull(field);
        }
    }

    /** The p with layer i global exactly when (i + 1) % p == 0, or 0 when the layers follow no such pattern. */
    static int pattern(List<Boolean> sliding) {
        for (int p = 1; p <= sliding.size() + 1; p++) {
            boolean fits = true;
            for (int i = 0; i < sliding.size() && fits; i++) {
                fits = sliding.get(i) == ((i + 1) % p != 0);
            }
            if (fits) {
                return p;
            }
        }
        return 0;
    }
}
