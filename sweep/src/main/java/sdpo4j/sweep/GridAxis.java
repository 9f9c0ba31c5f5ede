package sdpo4j.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import sdpo4j.config.ConfigException;

/**
 * One axis of a sweep's grid: a key of the base config and the values it takes. Each value is
 * applied as {@code --set key=value} (written as YAML flow text, so lists and strings work as
 * they do on the command line).
 *
 * @param key dotted key of the base config, e.g. {@code objective.divergence.top-k}
 * @param values the values, each once
 */
public record GridAxis(String key, List<JsonNode> values) {
    public GridAxis {
        if (key == null || key.isBlank()) {
            throw new ConfigException("grid.key", key, "a dotted key of the base config, e.g. lr");
        }
        if (values == null || values.isEmpty()) {
            throw new ConfigException("grid.values", values, "a non-empty list of values for key '" + key + "'");
        }
        if (values.stream().map(JsonNode::toString).distinct().count() != values.size()) {
            throw new ConfigException("grid.values", values, "each value once for key '" + key + "'");
        }
        values = List.copyOf(values);
    }

    /** The {@code --set} text for value {@code i}. */
    String set(int i) {
        return key + "=" + text(i);
    }

    /** Value {@code i} as written in a --set (JSON flow text is YAML). */
    String text(int i) {
        JsonNode v = values.get(i);
        return v.isTextual() ? v.asText() : v.toString();
    }
}
