package sdpo4j.lm.text;

import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.model.ModelFiles;

import sdpo4j.lm.text.jinja.JinjaTemplate;
import sdpo4j.lm.text.jinja.TemplateError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The chat template of {@code tokenizer_config.json}, rendered byte for byte as transformers'
 * {@code apply_chat_template} renders it (see {@link JinjaTemplate}), or a plain format when the
 * model has none: {@code role: content} lines, then {@code assistant: } when a reply is wanted.
 * Message contents are values, never template source: "{{ 1 + 2 }}" in a prompt stays as written.
 */
public final class ChatTemplate {
    /** One turn of a conversation. */
    public record Message(String role, String content) {}

    private final String source;
    /** Where the template came from, for error messages (a file), or null. */
    private final String origin;
    private final Map<String, Object> specials;
    /** Parsed once; null for the plain format or when the template does not parse. */
    private final JinjaTemplate jinja;
    /** Why the template does not parse, reported when it is first rendered. */
    private final TemplateError parseError;

    /** User turns without a system turn or variables. */
    private final UserTurns userTurn;

    private record Wrap(String before, String after) {}

    /**
     * The prompt of one user turn (with the generation prompt) under fixed {@link ChatOptions}.
     * Training renders a user turn for every distinct teacher context of every batch, and a
     * template render costs far more than a concatenation (with Jinjava it was most of SDPO's
     * context building): where the template puts the content in verbatim, what it puts around it
     * is found once and reused.
     */
    public final class UserTurns {
        private final ChatOptions options;
        /** What surrounds the content, or null when the template does not put it in verbatim. */
        private final Wrap wrap;

        private UserTurns(ChatOptions options) {
            this.options = options;
            this.wrap = probe(options);
        }

        public String render(String content) {
            return wrap != null ? wrap.before() + content + wrap.after()
                    : ChatTemplate.this.render(options.conversation(content), true, options.variables());
        }

        boolean wraps() {
            return wrap != null;
        }
    }

    /** User turns under {@code options} (a system turn, template variables). */
    public UserTurns userTurns(ChatOptions options) {
        return options.equals(ChatOptions.NONE) && userTurn != null ? userTurn : new UserTurns(options);
    }

    /**
     * Probe contents for {@link #userTurn}: a template that trims, escapes, changes case or
     * otherwise rewrites its content changes one of them, and then every user turn is rendered.
     */
    private static final List<String> PROBES = List.of(" \n\tProbe <&'\"> {{ x }} %} \n", "b");

    private ChatTemplate(String source, Map<String, Object> specials, Supplier<LocalDateTime> clock, String origin) {
        this.source = source;
        this.origin = origin;
        this.specials = specials;
        JinjaTemplate parsed = null;
        TemplateError error = null;
        if (source != null) {
            try {
                parsed = JinjaTemplate.parse(source, clock);
            } catch (TemplateError e) {
                error = e;
            }
        }
        this.jinja = parsed;
        this.parseError = error;
        this.userTurn = new UserTurns(ChatOptions.NONE);
    }

    private Wrap probe(ChatOptions options) {
        String first = PROBES.get(0);
        String out;
        try {
            out = render(options.conversation(first), true, options.variables());
        } catch (RuntimeException e) {
            return null; // e.g. a template that insists on a system turn: rendering will say so when used
        }
        int at = out.indexOf(first);
        if (at < 0 || out.indexOf(first, at + 1) >= 0) {
            return null;
        }
        Wrap w = new Wrap(out.substring(0, at), out.substring(at + first.length()));
        for (String probe : PROBES) {
            if (!render(options.conversation(probe), true, options.variables()).equals(w.before() + probe + w.after())) {
                return null;
            }
        }
        return w;
    }

    /** Where transformers' tokenizer finds a model directory's template, which overrides the one in tokenizer_config.json. */
    public static final String JINJA_FILE = "chat_template.jinja";
    /** A processor's template (multimodal releases), read only when neither other place has one. */
    public static final String PROCESSOR_FILE = "chat_template.json";

    /**
     * The chat template of a model directory, from where transformers takes it: {@value #JINJA_FILE}
     * when present (the file newer transformers versions save, which replaces the config's),
     * else {@code chat_template} of {@code tokenizer_config.json}, else that of
     * {@value #PROCESSOR_FILE}; errors name the file it came from. The special tokens are
     * tokenizer_config.json's either way. Not yet {@link #check}ed.
     */
    public static ChatTemplate load(Path dir) {
        Path configFile = dir.resolve("tokenizer_config.json");
        JsonNode config = ModelFiles.readOptional(configFile);
        Path jinjaFile = dir.resolve(JINJA_FILE);
        if (Files.isRegularFile(jinjaFile)) {
            try {
                return withSource(config, Files.readString(jinjaFile), jinjaFile);
            } catch (IOException e) {
                throw new ModelException(jinjaFile + ": cannot read: " + e.getMessage());
            }
        }
        if (config != null && config.hasNonNull("chat_template")) {
            return of(config, configFile.toString());
        }
        JsonNode processor = ModelFiles.readOptional(dir.resolve(PROCESSOR_FILE));
        if (processor != null && processor.path("chat_template").isTextual()) {
            return withSource(config, processor.get("chat_template").asText(), dir.resolve(PROCESSOR_FILE));
        }
        return of(config, configFile.toString());
    }

    private static ChatTemplate withSource(JsonNode config, String source, Path origin) {
        ObjectNode merged = config != null && config.isObject() ? ((ObjectNode) config).deepCopy()
                : new ObjectMapper().createObjectNode();
        merged.put("chat_template", source);
        return of(merged, origin.toString());
    }

    /**
     * Fails fast, before any weights are read, on a template that does not parse or cannot render
     * the simplest conversation (one user message, with the generation prompt); a template that
     * refuses it with {@code raise_exception} is reported with its own message. Returns this.
     */
    public ChatTemplate check() {
        if (source != null) {
            try {
                renderJinja(List.of(new Message("user", "Hello")), true, Map.of());
            } catch (TemplateError e) {
                throw failure(e, "a single user message");
            }
        }
        return this;
    }

    public static ChatTemplate of(JsonNode tokenizerConfig) {
        return of(tokenizerConfig, LocalDateTime::now, null);
    }

    /** The same, naming {@code origin} (the tokenizer_config.json file) in its errors. */
    public static ChatTemplate of(JsonNode tokenizerConfig, String origin) {
        return of(tokenizerConfig, LocalDateTime::now, origin);
    }

    /** With the clock {@code strftime_now} reads (tests fix it). */
    static ChatTemplate of(JsonNode tokenizerConfig, Supplier<LocalDateTime> clock) {
        return of(tokenizerConfig, clock, null);
    }

    private static ChatTemplate of(JsonNode tokenizerConfig, Supplier<LocalDateTime> clock, String origin) {
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
            // What transformers passes as special_tokens_map: each set token as its text (an
            // AddedToken object stands for its content); unset ones stay undefined in the template.
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token", "sep_token", "cls_token", "mask_token")) {
                JsonNode n = tokenizerConfig.get(key);
                if (n != null && !n.isNull()) {
                    specials.put(key, n.isTextual() ? n.asText() : n.path("content").asText(""));
                }
            }
            JsonNode extra = tokenizerConfig.get("additional_special_tokens");
            if (extra != null && extra.isArray()) {
                List<Object> tokens = new ArrayList<>();
                extra.forEach(n -> tokens.add(n.isTextual() ? n.asText() : n.path("content").asText("")));
                specials.put("additional_special_tokens", tokens);
            }
        }
        return new ChatTemplate(source, specials, clock, origin);
    }

    public boolean isPlain() {
        return source == null;
    }

    /**
     * The prompt for one user turn followed by the generation prompt: what {@link #render} gives
     * for it, without a template render when the template puts the content in verbatim.
     */
    public String renderUserTurn(String content) {
        return userTurn.render(content);
    }

    /** Whether {@link #renderUserTurn} skips the template (for tests). */
    boolean wrapsUserTurn() {
        return userTurn.wraps();
    }

    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /** The probe's tool result; {@link #hasToolRole} looks for it in the render. */
    private static final String TOOL_PROBE = "tool-role probe 7f3a";
    /** Whether the template renders a tool turn; found on first use (a render). */
    private volatile Boolean toolRole;

    /**
     * Whether the template renders a {@code tool} turn as such: it renders a user turn, an
     * assistant turn, a tool turn and a user turn without refusing it and with the tool's content
     * in it (Qwen2.5, Qwen3, Llama 3.x, ChatML: yes; Gemma 3, which refuses roles other than
     * user and assistant: no). The plain format writes any role.
     */
    public boolean hasToolRole() {
        Boolean known = toolRole;
        if (known == null) {
            if (source == null) {
                known = true;
            } else {
                try {
                    known = renderJinja(List.of(new Message("user", "u"), new Message("assistant", "a"),
                            new Message("tool", TOOL_PROBE), new Message("user", "v")), true, Map.of()).contains(TOOL_PROBE);
                } catch (RuntimeException e) {
                    known = false;
                }
            }
            toolRole = known;
        }
        return known;
    }

    /**
     * The prompt a model is given for a conversation that ends with the turn it answers: {@code
     * options}' system turn first unless the conversation opens with its own (which then wins),
     * tool turns folded into user text where the template has no tool role ({@link ToolTurns}),
     * {@code options}' variables, the generation prompt last. For a single user turn it is
     * {@link UserTurns#render}'s text.
     */
    public String renderPrompt(List<Message> turns, ChatOptions options) {
        List<Message> all = new ArrayList<>();
        if (!options.systemPrompt().isEmpty() && (turns.isEmpty() || !turns.get(0).role().equals("system"))) {
            all.add(new Message("system", options.systemPrompt()));
        }
        all.addAll(hasToolRole() ? turns : ToolTurns.fold(turns));
        return render(all, true, options.variables());
    }

    /**
     * The conversation as {@code apply_chat_template(messages, add_generation_prompt=...,
     * tokenize=False, **variables)} renders it; {@code variables} are extra template variables
     * such as Qwen3's {@code enable_thinking}.
     *
     * @throws ModelException when the template cannot be rendered, or refuses the conversation
     *     with its own {@code raise_exception} message; either names the template line
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        if (source == null) {
            StringBuilder sb = new StringBuilder();
            for (Message m : messages) {
                sb.append(m.role()).append(": ").append(m.content()).append('\n');
            }
            return addGenerationPrompt ? sb.append("assistant: ").toString() : sb.toString();
        }
        try {
            return renderJinja(messages, addGenerationPrompt, variables);
        } catch (TemplateError e) {
            throw failure(e, "this conversation");
        }
    }

    private String renderJinja(List<Message> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        if (parseError != null) {
            throw parseError;
        }
        Map<String, Object> ctx = new HashMap<>(specials);
        ctx.putAll(variables);
        List<Object> msgs = new ArrayList<>();
        for (Message m : messages) {
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", m.role());
            msg.put("content", m.content());
            msgs.add(msg);
        }
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        return jinja.render(ctx);
    }

    private ModelException failure(TemplateError e, String conversation) {
        String where = e.line() > 0 ? " (template line " + e.line() + ")" : "";
        String file = origin == null ? "" : origin + ": ";
        return new ModelException(file + (e.raised() ? "the chat template refuses " + conversation + where + ": " + e.detail()
                : "chat template cannot be rendered" + where + ": " + e.detail()));
    }
}
