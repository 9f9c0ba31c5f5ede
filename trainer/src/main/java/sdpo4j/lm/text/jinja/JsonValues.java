package sdpo4j.lm.text.jinja;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON (a messages file, a test context) as template values: key order kept, integers as Long. */
public final class JsonValues {
    private JsonValues() {}

    public static Object of(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        } else if (n.isBoolean()) {
            return n.booleanValue();
        } else if (n.isIntegralNumber()) {
            return n.longValue();
        } else if (n.isNumber()) {
            return n.doubleValue();
        } else if (n.isTextual()) {
            return n.textValue();
        } else if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            n.forEach(x -> out.add(of(x)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), of(e.getValue())));
        return out;
    }
}
