package sdpo4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Renders a config's key table (key, default, meaning) from the code: the keys and defaults
 * from the defaults record through {@link Yaml#MAPPER}, the mapper {@link ConfigLoader} binds
 * with, so both are exactly what a user writes; the meanings from the {@link Doc}s on the
 * record's nested {@code Builder} fields. The docs hold each table as a {@link GeneratedSections
 * generated section}; {@code bin/sdpo4j config-docs --write} refreshes them, and a test fails
 * when they drift.
 */
public final class ConfigDocs {
    private ConfigDocs() {}

    /**
     * One documented config.
     *
     * @param name the table's name in the docs' markers (e.g. {@code train})
     * @param type the record a config file binds to
     * @param defaults the values a key takes when a file leaves it out
     * @param elsewhere nested sections documented by another table: their key path and where
     *     to look, shown as one row instead of their keys
     */
    public record Section(String name, Class<? extends Record> type, Record defaults, Map<String, String> elsewhere) {
        public Section {
            elsewhere = Map.copyOf(elsewhere);
        }

        public Section(String name, Class<? extends Record> type, Record defaults) {
            this(name, type, defaults, Map.of());
        }
    }

    /** Every documented config on the class path. */
    public static List<Section> sections() {
        List<Section> all = new ArrayList<>();
        for (DocumentedConfigs p : ServiceLoader.load(DocumentedConfigs.class)) {
            all.addAll(p.sections());
        }
        return all;
    }

    /** The section's Markdown table, one row per key; a nested section has a row of its own, then its keys. */
    public static String table(Section section) {
        StringBuilder out = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        rows(section.type(), Yaml.MAPPER.valueToTree(section.defaults()), "", section.elsewhere(), out);
        return out.toString();
    }

    /** A level's values first, then its sections, each followed by its own keys. */
    private static void rows(Class<?> type, JsonNode node, String prefix, Map<String, String> elsewhere, StringBuilder out) {
        Map<String, String> components = componentNames(type);
        List<Map.Entry<String, JsonNode>> sections = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            RecordComponent rc = component(type, components.get(e.getKey()));
            if (elsewhere.containsKey(key)) {
                row(out, key, elsewhere.get(key), doc(type, rc.getName()));
            } else if (rc.getType().isRecord() && e.getValue().isObject()) {
                sections.add(e);
            } else {
                row(out, key, "`" + yaml(e.getValue()) + "`", doc(type, rc.getName()));
            }
        }
        for (Map.Entry<String, JsonNode> e : sections) {
            String key = prefix + e.getKey();
            RecordComponent rc = component(type, components.get(e.getKey()));
            row(out, key, "(section)", doc(type, rc.getName()));
            rows(rc.getType(), e.getValue(), key + ".", elsewhere, out);
        }
    }

    private static void row(StringBuilder out, String key, String value, String meaning) {
        out.append("| `").append(cell(key)).append("` | ").append(cell(value)).append(" | ")
                .append(cell(meaning == null ? "" : meaning)).append(" |\n");
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    /** A value as a YAML file would spell it: lists in flow style, {@code [a, b]}. */
    static String yaml(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(yaml(v)));
            return "[" + String.join(", ", items) + "]";
        }
        try {
            // A lone scalar comes with YAML's document marker ("--- \"\"" for the empty text): not part of the value.
            String text = Yaml.MAPPER.writeValueAsString(value).strip();
            return text.startsWith("--- ") ? text.substring(4) : text;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value, e);
        }
    }

    /** YAML key -> record component name, as the mapper names them. */
    private static Map<String, String> componentNames(Class<?> type) {
        Map<String, String> names = new LinkedHashMap<>();
        List<BeanPropertyDefinition> props = Yaml.MAPPER.getSerializationConfig()
                .introspect(Yaml.MAPPER.constructType(type)).findProperties();
        for (BeanPropertyDefinition p : props) {
            names.put(p.getName(), p.getInternalName());
        }
        return names;
    }

    private static RecordComponent component(Class<?> type, String name) {
        if (name == null) {
            throw new IllegalStateException(type.getName() + " writes a key that is no record component");
        }
        for (RecordComponent rc : type.getRecordComponents()) {
            if (rc.getName().equals(name)) {
                return rc;
            }
        }
        throw new IllegalStateException(type.getName() + " has no record component " + name);
    }

    /** The {@link Doc} text of a component: on the same-named field of the record's nested {@code Builder}. */
    private static String doc(Class<?> type, String component) {
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (nested.getSimpleName().equals("Builder")) {
                try {
                    Field f = nested.getDeclaredField(component);
                    Doc d = f.getAnnotation(Doc.class);
                    return d == null ? null : d.value();
                } catch (NoSuchFieldException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Key paths of components (nested records included) with no {@link Doc}: empty when every key is documented. */
    public static List<String> undocumented(Class<? extends Record> type) {
        List<String> missing = new ArrayList<>();
        undocumented(type, "", missing);
        return missing;
    }

    private static void undocumented(Class<?> type, String prefix, List<String> missing) {
        for (RecordComponent rc : type.getRecordComponents()) {
            String path = prefix + rc.getName();
            if (doc(type, rc.getName()) == null) {
                missing.add(path + " (" + type.getSimpleName() + "." + rc.getName() + ")");
            }
            if (rc.getType().isRecord()) {
                undocumented(rc.getType(), path + ".", missing);
            }
        }
    }
}
