package sdpo4j.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Binds YAML to an immutable config record: start from the record's defaults, merge the file
 * over them, apply {@code --set a.b=value} overrides, convert, and let the record's
 * constructors check ranges. Every failure is a {@link ConfigException} raised before any
 * work, naming the file and line (or the {@code --set}), the key path, the value and what is
 * allowed; a misspelt key gets the closest valid one suggested.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static <T extends Record> T load(Class<T> type, T defaults, Path file, List<String> sets) {
        JsonNode tree = Yaml.MAPPER.valueToTree(defaults);
        String source = null;
        LineIndex lines = null;
        if (file != null) {
            String text = read(file);
            lines = new LineIndex(text);
            JsonNode user = parse(file.toString(), text);
            if (user != null && !user.isMissingNode() && !user.isNull()) {
                if (!user.isObject()) {
                    throw ConfigException.general(file.toString(), "the file must be a mapping of keys to values, got "
                            + user.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
                }
                tree = merge((ObjectNode) tree, user, "", file, lines);
            }
            source = file.toString();
        }
        Map<String, String> setSources = new java.util.HashMap<>();
        for (String set : sets == null ? List.<String>of() : sets) {
            String key = applySet((ObjectNode) tree, set);
            setSources.put(key, "--set " + set);
        }
        return convert(type, tree, source, lines, setSources);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw ConfigException.general(file.toString(), "no such config file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw ConfigException.general(file.toString(), "the file is not valid UTF-8 text");
        } catch (IOException e) {
            throw ConfigException.general(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    private static JsonNode parse(String source, String text) {
        if (text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Yaml.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? source : source + ":" + e.getLocation().getLineNr();
            throw ConfigException.general(where, "malformed YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    /** Merges {@code user} over {@code defaults}, rejecting keys the defaults do not have. */
    private static ObjectNode merge(ObjectNode defaults, JsonNode user, String prefix, Path file, LineIndex lines) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode current = defaults.get(e.getKey());
            if (!defaults.has(e.getKey())) {
                throw unknownKey(where(file.toString(), lines, key), key, e.getKey(), defaults);
            }
            if (current != null && current.isObject() && e.getValue().isObject()) {
                merge((ObjectNode) current, e.getValue(), key, file, lines);
            } else {
                defaults.set(e.getKey(), e.getValue());
            }
        }
        return defaults;
    }

    private static String where(String source, LineIndex lines, String key) {
        int line = lines == null ? -1 : lines.line(key);
        return line > 0 ? source + ":" + line : source;
    }

    private static ConfigException unknownKey(String source, String key, String name, JsonNode siblings) {
        List<String> valid = new ArrayList<>();
        siblings.fieldNames().forEachRemaining(valid::add);
        return ConfigException.general(source, "unknown key '" + key + "'" + Suggest.didYouMean(name, valid)
                + "; valid keys here: " + String.join(", ", valid));
    }

    /** Applies {@code a.b.c=value}; returns the key path. */
    private static String applySet(ObjectNode root, String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) {
            throw ConfigException.general("--set " + set, "expected key=value, e.g. --set objective.alpha=0.5");
        }
        String key = set.substring(0, eq).trim();
        String raw = set.substring(eq + 1);
        JsonNode value;
        try {
            value = raw.isBlank() ? com.fasterxml.jackson.databind.node.TextNode.valueOf(raw) : Yaml.MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            throw ConfigException.general("--set " + set, "the value is not valid YAML: " + e.getOriginalMessage());
        }
        String[] parts = key.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length; i++) {
            String path = String.join(".", java.util.Arrays.copyOf(parts, i + 1));
            if (!node.has(parts[i])) {
                throw unknownKey("--set " + set, path, parts[i], node);
            }
            if (i == parts.length - 1) {
                node.set(parts[i], value);
            } else {
                JsonNode child = node.get(parts[i]);
                if (child == null || !child.isObject()) {
                    throw ConfigException.general("--set " + set, "key '" + path + "' is a value, not a section");
                }
                node = (ObjectNode) child;
            }
        }
        return key;
    }

    private static <T> T convert(Class<T> type, JsonNode tree, String source, LineIndex lines, Map<String, String> setSources) {
        try {
            return Yaml.MAPPER.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            String prefix = path(e);
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException ce) {
                String full = ce.key() == null ? prefix : prefix.isEmpty() ? ce.key() : prefix + "." + ce.key();
                throw ce.located(sourceOf(full, source, lines, setSources), prefix);
            }
            throw ConfigException.general(sourceOf(prefix, source, lines, setSources),
                    "section '" + prefix + "': " + (cause == null ? e.getOriginalMessage() : cause.getMessage()));
        } catch (InvalidFormatException e) {
            String key = path(e);
            throw new ConfigException(key, e.getValue(), describe(e.getTargetType()))
                    .located(sourceOf(key, source, lines, setSources), null);
        } catch (MismatchedInputException e) {
            String key = path(e);
            JsonNode bad = tree.at("/" + key.replace(".", "/"));
            Object shown = bad.isMissingNode() ? null : bad.isTextual() ? bad.asText() : bad.isNumber() ? bad.numberValue()
                    : bad.isBoolean() ? (Object) bad.booleanValue() : bad;
            throw new ConfigException(key, shown, describe(e.getTargetType()))
                    .located(sourceOf(key, source, lines, setSources), null);
        } catch (JsonMappingException e) {
            throw ConfigException.general(sourceOf(path(e), source, lines, setSources), e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ConfigException.general(source, e.getOriginalMessage());
        }
    }

    private static String sourceOf(String key, String file, LineIndex lines, Map<String, String> setSources) {
        for (Map.Entry<String, String> s : setSources.entrySet()) {
            if (key.equals(s.getKey()) || key.startsWith(s.getKey() + ".") || s.getKey().startsWith(key + ".")) {
                return s.getValue();
            }
        }
        return file == null ? "defaults" : where(file, lines, key);
    }

    private static String path(JsonMappingException e) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                parts.add(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                parts.add(String.valueOf(r.getIndex()));
            }
        }
        return String.join(".", parts);
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a value of the right type";
        }
        if (type.isEnum()) {
            return "one of " + Yaml.allowedValues(type);
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isRecord()) {
            return "a section of keys";
        }
        return "a " + type.getSimpleName();
    }

    /** The resolved config as YAML text, in the same conventions the loader reads. */
    public static String toYaml(Object config) {
        try {
            return Yaml.MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config " + config, e);
        }
    }
}
