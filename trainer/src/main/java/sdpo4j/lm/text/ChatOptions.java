package sdpo4j.lm.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.text.jinja.JsonValues;

/**
 * What every prompt a model is given carries besides the user turn: a system message (none when
 * empty) and extra chat-template variables such as Qwen3's {@code enable_thinking}. Prompts and
 * teacher contexts are rendered with the same options, so that teacher and student see the same
 * format around their different user turns.
 *
 * @param systemPrompt the system turn's content, or empty for no system turn
 * @param variables extra template variables, passed as {@code apply_chat_template(**variables)}
 */
public record ChatOptions(String systemPrompt, Map<String, Object> variables) {
    /** No system turn, no variables: the template's own defaults. */
    public static final ChatOptions NONE = new ChatOptions("", Map.of());

    public ChatOptions {
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        variables = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** The conversation of one user turn under these options. */
    public List<ChatTemplate.Message> conversation(String userTurn) {
        return systemPrompt.isEmpty() ? List.of(new ChatTemplate.Message("user", userTurn))
                : List.of(new ChatTemplate.Message("system", systemPrompt), new ChatTemplate.Message("user", userTurn));
    }

    /**
     * {@code NAME=VALUE} settings as template variables: VALUE is read as JSON when it is JSON
     * ({@code false}, {@code 3}, {@code ["a"]}), else as a string.
     *
     * @param key the option or config key, for the error
     */
    public static Map<String, Object> parseVariables(String key, List<String> settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String v : settings) {
            int eq = v == null ? -1 : v.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(key, v, "NAME=VALUE, e.g. enable_thinking=false");
            }
            out.put(v.substring(0, eq).trim(), jsonOrString(v.substring(eq + 1)));
        }
        return out;
    }

    private static Object jsonOrString(String s) {
        try {
            return JsonValues.of(new ObjectMapper().readTree(s));
        } catch (IOException e) {
            return s;
        }
    }
}
