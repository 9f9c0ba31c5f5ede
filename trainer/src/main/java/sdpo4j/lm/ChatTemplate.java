package sdpo4j.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat template of {@code tokenizer_config.json}, rendered with Jinjava (Jinja for Java),
 * or a plain format when the model has none: {@code role: content} lines, then
 * {@code assistant: } when a reply is wanted.
 */
public final class ChatTemplate {
    /** One turn of a conversation. */
    public record Message(String role, String content) {}

    private final String source;
    private final Map<String, Object> specials;
    /** Built once: a Jinjava instance sets up its whole function library, milliseconds per construction. */
    private final Jinjava jinja;

    private ChatTemplate(String source, Map<String, Object> specials) {
        this.source = source;
        this.specials = specials;
        this.jinja = source == null ? null
                : new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
    }

    static ChatTemplate of(JsonNode tokenizerConfig) {
        Map<String, Object> specials = new HashMap<>();
        String source = null;
        if (tokenizerConfig != null) {
            JsonNode t = tokenizerConfig.get("chat_template");
            if (t != null && t.isTextual()) {
                source = t.asText();
            } else if (t != null && t.isArray() && t.size() > 0) {
                // A list of named templates: the "default" one.
                for (JsonNode named : t) {
                    if ("default".equals(named.path("name").asText())) {
                        source = named.path("template").asText();
                    }
                }
            }
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                JsonNode n = tokenizerConfig.get(key);
                if (n != null && !n.isNull()) {
                    specials.put(key, n.isTextual() ? n.asText() : n.path("content").asText(""));
                }
            }
        }
        return new ChatTemplate(source, specials);
    }

    public boolean isPlain() {
        return source == null;
    }

    public String render(List<Message> messages, boolean addGenerationPrompt) {
        if (source == null) {
            StringBuilder sb = new StringBuilder();
            for (Message m : messages) {
                sb.append(m.role()).append(": ").append(m.content()).append('\n');
            }
            return addGenerationPrompt ? sb.append("assistant: ").toString() : sb.toString();
        }
        Map<String, Object> ctx = new HashMap<>(specials);
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (Message m : messages) {
            msgs.add(Map.of("role", m.role(), "content", m.content()));
        }
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        var result = jinja.renderForResult(source, ctx);
        if (!result.getErrors().isEmpty() && result.getErrors().stream().anyMatch(e -> e.getSeverity().name().equals("FATAL"))) {
            throw new ModelException("chat template cannot be rendered: " + result.getErrors().get(0).getMessage());
        }
        return result.getOutput();
    }
}
