package sdpo4j.lm.model.family;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ConfigFields;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * The {@code config.json} fields the RoPE families share with Llama (widths, heads, RoPE base and
 * scaling, norm epsilon, ids), read and written under HuggingFace's names; each family adds its own.
 */
final class RopeFields {
    private RopeFields() {}

    /**
     * @param activationField the activation's field ({@code hidden_act}, Gemma's {@code hidden_activation})
     * @param activation the only activation the family's MLP implements
     * @param bias the q/k/v projections have biases
     * @param tiedByDefault {@code tie_word_embeddings} when the file does not say (HF's default for the family)
     */
    static ModelConfig parse(Architecture architecture, String type, ConfigFields f, String activationField, String activation,
            boolean bias, boolean tiedByDefault, ModelConfig.Variant variant) {
        int heads = f.integer("num_attention_heads");
        String act = f.optText(activationField, activation);
        if (!act.equals(activation)) {
            throw new ModelException(f.file() + ": " + activationField + " '" + act + "' is not supported; allowed: " + activation);
        }
        return new ModelConfig(architecture, type, f.integer("vocab_size"), f.integer("hidden_size"),
                f.integer("num_hidden_layers"), heads, f.optInteger("num_key_value_heads", heads),
                f.integer("intermediate_size"), f.optInteger("max_position_embeddings", 2048),
                f.optNumber("rms_norm_eps", 1e-6), f.ropeTheta(ConfigFields.GLOBAL, f.optNumber("rope_theta", 10000.0)), f.ropeScaling(),
                f.optBoolean("tie_word_embeddings", tiedByDefault), bias, f.optTokenId("bos_token_id", -1),
                f.ids("eos_token_id"), variant);
    }

    /** The shared fields of {@code c}, in Llama's order, under {@code architecture}'s class name. */
    static void write(ModelConfig c, ObjectNode o, String architecture, String activationField, String activation) {
        o.putArray("architectures").add(architecture);
        o.put("hidden_size", c.hiddenSize());
        o.put("num_hidden_layers", c.numLayers());
        o.put("num_attention_heads", c.numHeads());
        o.put("num_key_value_heads", c.numKvHeads());
        if (c.variant().headDim() > 0) {
            o.put("head_dim", c.variant().headDim());
        }
        o.put("intermediate_size", c.intermediateSize());
        o.put("max_position_embeddings", c.maxPositions());
        o.put("rms_norm_eps", c.normEps());
        o.put("rope_theta", c.ropeTheta());
        o.put(activationField, activation);
        o.put("attention_bias", c.qkvBias());
        if (c.ropeScaling() == null) {
            o.putNull("rope_scaling");
        } else {
            writeScaling(c.ropeScaling(), o);
        }
    }

    /** {@code rope_scaling} as HuggingFace writes it: type and factor, plus llama3's three fields. */
    static void writeScaling(ModelConfig.RopeScaling s, ObjectNode o) {
        ObjectNode rs = o.putObject("rope_scaling");
        rs.put("rope_type", s.type());
        rs.put("factor", s.factor());
        if (s.type().equals("llama3")) {
            rs.put("low_freq_factor", s.lowFreqFactor());
            rs.put("high_freq_factor", s.highFreqFactor());
            rs.put("original_max_position_embeddings", s.originalMaxPositions());
        }
    }

    /** Refuses {@code key: true}, a switch HF honours for {@code type} that this backend does not implement. */
    static void refuseTrue(ConfigFields f, String key, String type) {
        if (f.optBoolean(key, false)) {
            throw new ModelException(f.file() + ": " + key + " true is not supported for " + type + "; allowed: false (or absent)");
        }
    }

    /** Refuses a {@code layer_types} list with layers other than global attention (Qwen2 and Qwen3 read it). */
    static void refuseSlidingLayerTypes(ConfigFields f, String type) {
        JsonNode types = f.root().get("layer_types");
        if (types == null || !types.isArray()) {
            return;
        }
        for (int i = 0; i < types.size(); i++) {
            if (!types.get(i).asText().equals(ConfigFields.GLOBAL)) {
                throw new ModelException(f.file() + ": layer_types[" + i + "] '" + types.get(i).asText() + "' is not supported for "
                        + type + "; allowed: " + ConfigFields.GLOBAL);
            }
        }
    }

    /** {@code head_dim}, or {@code dflt} when absent or null. */
    static int headDim(ConfigFields f, int dflt) {
        return f.optInteger("head_dim", dflt);
    }

    /**
     * {@code sliding_window}: absent gives {@code dflt} (HF's default for the family), null or
     * {@code use_sliding_window: false} give 0 (none).
     */
    static int slidingWindow(ConfigFields f, int dflt) {
        if (!f.optBoolean("use_sliding_window", true)) {
            return 0;
        }
        if (!f.root().has("sliding_window")) {
            return dflt;
        }
        return f.optInteger("sliding_window", 0);
    }
}
