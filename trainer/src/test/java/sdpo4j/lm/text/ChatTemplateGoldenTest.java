package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.text.jinja.JinjaTemplate;
import sdpo4j.lm.text.jinja.JsonValues;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of released models (test resources chat-templates/, see its README)
 * over the conversation set, against Jinja2's renders in transformers' environment: byte for
 * byte, and where Jinja2 raised the template's own error, the same message.
 */
class ChatTemplateGoldenTest {
    static final List<String> FAMILIES = List.of("qwen2.5", "qwen3", "llama3.1", "llama3.2", "gemma3", "mistral-nemo",
            "deepseek-v3", "internlm2", "chatglm3", "smollm2", "phi3.5", "phi4", "mistral-v0.3", "olmo2", "deepseek-r1-distill-qwen");
    /** render_chat_goldens.py's FIXED_NOW: Llama 3.2 prints today's date. */
    static final Supplier<LocalDateTime> FIXED_NOW = () -> LocalDateTime.of(2026, 3, 14, 15, 9, 26);
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode resource(String path) throws IOException {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat-templates/" + path)) {
            return JSON.readTree(in);
        }
    }

    static ChatTemplate template(String family) throws IOException {
        return ChatTemplate.of(resource(family + "/tokenizer_config.json"), FIXED_NOW);
    }

    @TestFactory
    List<DynamicTest> everyTemplateRendersEveryConversationAsJinja2() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String family : FAMILIES) {
            ChatTemplate t = template(family);
            for (JsonNode c : resource(family + "/goldens.json").get("cases")) {
                if (c.get("name").asText().startsWith("tools/")) {
                    tests.add(DynamicTest.dynamicTest(family + " " + c.get("name").asText(), () -> assertEquals(
                            c.get("output").asText(), renderWithTools(family, c))));
                    continue;
                }
                List<ChatTemplate.Message> messages = new ArrayList<>();
                c.get("messages").forEach(m -> messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText())));
                boolean gen = c.get("add_generation_prompt").asBoolean();
                @SuppressWarnings("unchecked")
                Map<String, Object> variables = (Map<String, Object>) JsonValues.of(c.get("variables"));
                tests.add(DynamicTest.dynamicTest(family + " " + c.get("name").asText(), () -> {
                    if (c.has("output")) {
                        assertEquals(c.get("output").asText(), t.render(messages, gen, variables));
                    } else {
                        ModelException e = assertThrows(ModelException.class, () -> t.render(messages, gen, variables));
                        assertTrue(e.getMessage().endsWith(": " + c.get("error").asText()), e.getMessage());
                        assertTrue(e.getMessage().contains("template line "), e.getMessage());
                    }
                }));
            }
        }
        return tests;
    }

    /**
     * Tool definitions, tool calls and tool results: messages with more than role and content, so
     * rendered with the template directly, in the context transformers builds.
     */
    private static String renderWithTools(String family, JsonNode c) throws IOException {
        JsonNode config = resource(family + "/tokenizer_config.json");
        Map<String, Object> context = new HashMap<>();
        for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            JsonNode n = config.get(key);
            if (n != null && !n.isNull()) {
                context.put(key, n.isTextual() ? n.asText() : n.path("content").asText());
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = (Map<String, Object>) JsonValues.of(c.get("variables"));
        context.putAll(variables);
        context.put("messages", JsonValues.of(c.get("messages")));
        context.put("add_generation_prompt", c.get("add_generation_prompt").asBoolean());
        return JinjaTemplate.parse(config.get("chat_template").asText(), FIXED_NOW).render(context);
    }

    @Test
    void atLeastEightFamiliesAreCovered() throws IOException {
        int covered = 0;
        for (String family : FAMILIES) {
            covered += resource(family + "/goldens.json").get("cases").size() >= 16 ? 1 : 0;
        }
        assertTrue(covered >= 8, "families with a full conversation set: " + covered);
    }

    @Test
    void raiseExceptionIsOneLineWithTheTemplatesMessage() throws IOException {
        ModelException e = assertThrows(ModelException.class, () -> template("gemma3").render(List.of(
                new ChatTemplate.Message("user", "a"), new ChatTemplate.Message("user", "b")), true));
        assertEquals("the chat template refuses this conversation (template line 19): "
                + "Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void userTurnShortcutAgreesWithRealTemplates() throws IOException {
        for (String family : FAMILIES) {
            ChatTemplate t = template(family);
            for (String content : List.of("plain", "  padded \n", "{{ 1 + 2 }} {% if x %}", "caf\u00e9 \uD83D\uDE00")) {
                assertEquals(t.render(List.of(new ChatTemplate.Message("user", content)), true), t.renderUserTurn(content),
                        family + ": " + content);
            }
        }
    }
}
