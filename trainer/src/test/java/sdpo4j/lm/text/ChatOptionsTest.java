package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.text.jinja.JsonValues;

/**
 * A user turn's prompt with a system turn and template variables ({@link ChatOptions}), as
 * training renders every prompt and teacher context, against the Jinja2 goldens of the real
 * templates: every golden conversation of a user turn, or a system and a user turn, with the
 * generation prompt, and its variables (Qwen3's enable_thinking).
 */
class ChatOptionsTest {
    @TestFactory
    List<DynamicTest> userTurnsWithASystemTurnAndVariablesAreTheJinja2Render() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String family : ChatTemplateGoldenTest.FAMILIES) {
            ChatTemplate t = ChatTemplateGoldenTest.template(family);
            for (JsonNode c : ChatTemplateGoldenTest.resource(family + "/goldens.json").get("cases")) {
                JsonNode msgs = c.get("messages");
                if (!c.has("output") || !c.path("add_generation_prompt").asBoolean() || msgs == null || msgs.size() > 2
                        || !msgs.get(msgs.size() - 1).get("role").asText().equals("user")
                        || (msgs.size() == 2 && !msgs.get(0).get("role").asText().equals("system"))
                        || c.get("name").asText().startsWith("tools/")) {
                    continue;
                }
                String system = msgs.size() == 2 ? msgs.get(0).get("content").asText() : "";
                String user = msgs.get(msgs.size() - 1).get("content").asText();
                @SuppressWarnings("unchecked")
                Map<String, Object> variables = (Map<String, Object>) JsonValues.of(c.get("variables"));
                ChatOptions options = new ChatOptions(system, variables);
                tests.add(DynamicTest.dynamicTest(family + " " + c.get("name").asText(),
                        () -> assertEquals(c.get("output").asText(), t.userTurns(options).render(user))));
            }
        }
        assertTrue(tests.size() >= 20, tests.size() + " cases");
        return tests;
    }

    @Test
    void aSystemPromptGoesFirstInThePlainFormatToo() {
        ChatTemplate plain = ChatTemplate.of(null);
        assertEquals("system: Be brief.\nuser: 2 + 3?\nassistant: ",
                plain.userTurns(new ChatOptions("Be brief.", Map.of())).render("2 + 3?"));
        assertEquals("user: 2 + 3?\nassistant: ", plain.userTurns(ChatOptions.NONE).render("2 + 3?"));
    }

    @Test
    void variablesAreReadAsJsonElseAsStrings() {
        assertEquals(Map.of("enable_thinking", false, "n", 3L, "name", "Ada", "xs", List.of("a")),
                ChatOptions.parseVariables("v", List.of("enable_thinking=false", "n=3", "name=Ada", "xs=[\"a\"]")));
        String msg = assertThrows(ConfigException.class, () -> ChatOptions.parseVariables("chat.template-variables",
                List.of("enable_thinking"))).getMessage();
        assertTrue(msg.contains("chat.template-variables") && msg.contains("enable_thinking") && msg.contains("NAME=VALUE"), msg);
    }
}
