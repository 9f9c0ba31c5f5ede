package sdpo4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The keys in which one config differs from another, spelt as a file or {@code --set} spells them. */
public final class ConfigDiff {
    private ConfigDiff() {}

    /** {@code key: value} for every key whose value in {@code to} differs from {@code from}'s, in key order. */
    public static List<String> changes(Record from, Record to) {
        List<String> out = new ArrayList<>();
        walk(Yaml.MAPPER.valueToTree(from), Yaml.MAPPER.valueToTree(to), "", out);
        return out;
    }

    private static void walk(JsonNode from, JsonNode to, String prefix, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode before = from.get(e.getKey());
            if (before != null && before.isObject() && e.getValue().isObject()) {
                walk(before, e.getValue(), key + ".", out);
            } else if (!e.getValue().equals(before)) {
                out.add(key + ": " + ConfigDocs.yaml(e.getValue()));
            }
        }
    }
}
