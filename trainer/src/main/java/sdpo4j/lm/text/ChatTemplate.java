package sdpo4j.lm.text;

import sdpo4j.lm.model.ModelException;

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

    /**
     * What the template puts around a single user turn's content (with the generation prompt), or
     * null when it does not put the content in verbatim. Training renders a user turn for every
     * distinct teacher context of every batch, and Jinjava takes about 0.4 ms a render (measured:
     * most of SDPO's context building); a concatenation takes microseconds.
     */
    private final Wrap userTurn;

    private record Wrap(String before, String after) {}

    /**
     * Probe contents for {@link #userTurn}: a template that trims, escapes, changes case or
     * otherwise rewrites its content changes one of them, and then every user turn is rendered.
     */
    private static final List<String> PROBES = List.of(" \n\tProbe <&'\"> {{ x }} %} \n", "b");

    private ChatTemplate(String source, Map<String, Object> specials) {
        this.source = source;
        this.specials = specials;
        this.jinja = source == null ? null
                // Not nested interpretation (Jinjava's default): it renders template syntax inside the
                // messages themselves, so a prompt or feedback holding "{{ 1 + 2 }}" reached the model as "3".
                : new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true)
                        .withNestedInterpretationEnabled(false).build());
        this.userTurn = probeUserTurn();
    }

    private Wrap probeUserTurn() {
        String first = PROBES.get(0);
        String out;
        try {
            out = render(List.of(new Message("user", first)), true);
        } catch (RuntimeException e) {
            return null; // e.g. a template that insists on a system turn: rendering will say so when used
        }
        int at = out.indexOf(first);
        if (at < 0 || out.indexOf(first, at + 1) >= 0) {
            return null;
        }
        Wrap w = new Wrap(out.substring(0, at), out.substring(at + first.length()));
        for (String probe : PROBES) {
            if (!render(List.of(new Message("user", probe)), true).equals(w.before() + probe + w.after())) {
                return null;
            }
        }
        return w;
    }

    public static ChatTemplate of(JsonNode tokenizerConfig) {
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

    /**
     * The prompt for one user turn followed by the generation prompt: what {@link #render} gives
     * for it, without a template render when the template puts the content in verbatim.
     */
    public String renderUserTurn(String content) {
        return userTurn != null ? userTurn.before() + content + userTurn.after()
                : render(List.of(new Message("user", content)), true);
    }

    /** Whether {@link #renderUserTurn} skips the template (for tests). */
    boolean wrapsUserTurn() {
        return userTurn != null;
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
