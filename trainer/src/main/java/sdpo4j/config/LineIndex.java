package sdpo4j.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** The line of each dotted key in a YAML text, so that errors point into the file. */
final class LineIndex {
    private final Map<String, Integer> lines = new HashMap<>();

    LineIndex(String yaml) {
        try (JsonParser p = Yaml.MAPPER.getFactory().createParser(yaml)) {
            Deque<String> path = new ArrayDeque<>();
            Deque<Boolean> isObject = new ArrayDeque<>();
            String pendingField = null;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        pendingField = p.currentName();
                        String prefix = String.join(".", path);
                        lines.put(prefix.isEmpty() ? pendingField : prefix + "." + pendingField,
                                p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        if (pendingField != null) {
                            path.addLast(pendingField);
                        }
                        isObject.push(pendingField != null);
                        pendingField = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (!isObject.isEmpty() && isObject.pop() && !path.isEmpty()) {
                            path.removeLast();
                        }
                    }
                    default -> pendingField = null;
                }
            }
        } catch (IOException e) {
            // Malformed YAML is reported by the loader with the parser's own location.
        }
    }

    /** Line of {@code key}, or of its closest enclosing key, or -1. */
    int line(String key) {
        String k = key;
        while (k != null && !k.isEmpty()) {
            Integer line = lines.get(k);
            if (line != null) {
                return line;
            }
            int dot = k.lastIndexOf('.');
            k = dot < 0 ? null : k.substring(0, dot);
        }
        return -1;
    }
}
