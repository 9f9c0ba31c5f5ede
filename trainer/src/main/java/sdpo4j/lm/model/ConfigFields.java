package sdpo4j.lm.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Typed access to a {@code config.json}'s fields, with errors that name the file and field: what
 * a family reads its {@link ModelConfig} from.
 *
 * @param file the file, for messages
 * @param root its JSON
 */
public record ConfigFields(String file, JsonNode root) {
    private JsonNode need(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw new ModelException(file + ": missing field '" + key + "'");
        }
        return n;
    }

    public String text(String key) {
        JsonNode n = need(key);
        if (!n.isTextual()) {
            throw new ModelException(file + ": field '" + key + "' must be text, got " + n);
        }
        return n.asText();
    }

    public String optText(String key, String dflt) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    public int integer(String key) {
        JsonNode n = need(key);
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > Integer.MAX_VALUE) {
            throw new ModelException(file + ": field '" + key + "' must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    public int optInteger(String key, int dflt) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? dflt : integer(key);
    }

    /** A token id, which may be 0 (SmolLM2's {@code <|endoftext|>} is both its BOS and EOS), or {@code dflt} when absent or null. */
    public int optTokenId(String key, int dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > Integer.MAX_VALUE) {
            throw new ModelException(file + ": field '" + key + "' must be a token id (an integer from 0), got " + n);
        }
        return n.asInt();
    }

    public double optNumber(String key, double dflt) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new ModelException(file + ": field '" + key + "' must be a number, got " + n);
        }
        return n.asDouble();
    }

    public boolean optBoolean(String key, boolean dflt) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? dflt : n.asBoolean();
    }

    public List<Integer> ids(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (n.isArray()) {
            List<Integer> ids = new java.util.ArrayList<>();
            n.forEach(x -> ids.add(x.asInt()));
            return ids;
        }
        return List.of(n.asInt());
    }

    /** The layer kind whose RoPE a family without kinds reads from a per-kind {@code rope_parameters}. */
    public static final String GLOBAL = "full_attention";

    /**
     * The RoPE settings transformers 5 writes ({@code rope_parameters}: {@code rope_theta},
     * {@code rope_type} and the scaling's fields in one object, or one such object per layer kind,
     * as Gemma 3's {@code full_attention} and {@code sliding_attention}) for {@code layerKind}, or
     * null when the file has the older top-level {@code rope_theta} and {@code rope_scaling}.
     */
    private JsonNode ropeParameters(String layerKind) {
        JsonNode p = root.get("rope_parameters");
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw new ModelException(file + ": field 'rope_parameters' must be an object, got " + p);
        }
        if (p.has("rope_type") || p.has("rope_theta")) {
            return p;
        }
        JsonNode kind = p.get(layerKind);
        if (kind == null || !kind.isObject()) {
            throw new ModelException(file + ": rope_parameters has no '" + layerKind + "' object; it has " + fieldNames(p));
        }
        return kind;
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The RoPE base of {@code layerKind}'s layers from {@code rope_parameters}, else {@code older} (the pre-5 field's value). */
    public double ropeTheta(String layerKind, double older) {
        JsonNode p = ropeParameters(layerKind);
        if (p != null && p.has("rope_theta")) {
            if (!p.get("rope_theta").isNumber()) {
                throw new ModelException(file + ": rope_parameters.rope_theta must be a number, got " + p.get("rope_theta"));
            }
            return p.get("rope_theta").asDouble();
        }
        return older;
    }

    /** The global layers' RoPE scaling ({@link #GLOBAL}). */
    public ModelConfig.RopeScaling ropeScaling() {
        return ropeScaling(GLOBAL);
    }

    /** RoPE frequency scaling of {@code layerKind}'s layers, or null for none; types we do not implement are refused. */
    public ModelConfig.RopeScaling ropeScaling(String layerKind) {
        JsonNode p = ropeParameters(layerKind);
        JsonNode n = p != null ? p : root.get("rope_scaling");
        String key = p != null ? "rope_parameters" : "rope_scaling";
        if (n == null || n.isNull()) {
            return null;
        }
        String type = n.has("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("");
        type = type.toLowerCase(Locale.ROOT);
        if (type.equals("default") || (p != null && type.isEmpty())) {
            return null;
        }
        if (!type.equals("linear") && !type.equals("llama3")) {
            throw new ModelException(file + ": " + key + " type '" + type + "' is not supported; allowed: linear, llama3 (and none)");
        }
        return new ModelConfig.RopeScaling(type, n.path("factor").asDouble(1.0), n.path("low_freq_factor").asDouble(1.0),
                n.path("high_freq_factor").asDouble(4.0), n.path("original_max_position_embeddings").asInt(8192));
    }
}
