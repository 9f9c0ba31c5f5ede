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

    public ModelConfig.RopeScaling ropeScaling() {
        JsonNode n = root.get("rope_scaling");
        if (n == null || n.isNull()) {
            return null;
        }
        String type = n.has("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("");
        type = type.toLowerCase(Locale.ROOT);
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("linear") && !type.equals("llama3")) {
            throw new ModelException(file + ": rope_scaling type '" + type + "' is not supported; allowed: linear, llama3");
        }
        return new ModelConfig.RopeScaling(type, n.path("factor").asDouble(1.0), n.path("low_freq_factor").asDouble(1.0),
                n.path("high_freq_factor").asDouble(4.0), n.path("original_max_position_embeddings").asInt(8192));
    }
}
