package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sdpo4j.lm.text.ChatTemplate.Message;

/** Tool turns on templates without a tool role, and the prompt of a conversation under chat options. */
class ToolTurnsTest {
    private static Message m(String role, String content) {
        return new Message(role, content);
    }

    @Test
    void aToolTurnFoldsIntoTheNeighbouringUserTurns() {
        assertEquals(List.of(m("user", "q"), m("assistant", "call"), m("user", "<tool_response>\n7\n</tool_response>\nnext")),
                ToolTurns.fold(List.of(m("user", "q"), m("assistant", "call"), m("tool", "7"), m("user", "next"))));
        // Two results in a row share one user turn, as Qwen's templates write them.
        assertEquals(List.of(m("assistant", "call"), m("user", "<tool_response>\n1\n</tool_response>\n<tool_response>\n2\n"
                + "</tool_response>")), ToolTurns.fold(List.of(m("assistant", "call"), m("tool", "1"), m("tool", "2"))));
        // A user turn right before a tool result takes it too.
        assertEquals(List.of(m("user", "q\n<tool_response>\n7\n</tool_response>")),
                ToolTurns.fold(List.of(m("user", "q"), m("tool", "7"))));
        // Two user turns the dataset wrote stay two; without a tool turn nothing changes.
        List<Message> plain = List.of(m("system", "s"), m("user", "a"), m("user", "b"), m("assistant", "c"));
        assertEquals(plain, ToolTurns.fold(plain));
    }

    @Test
    void whichTemplatesHaveAToolRole() throws IOException {
        assertTrue(ChatTemplateGoldenTest.template("qwen2.5").hasToolRole());
        assertTrue(ChatTemplateGoldenTest.template("qwen3").hasToolRole());
        assertTrue(ChatTemplateGoldenTest.template("llama3.1").hasToolRole());
        assertFalse(ChatTemplateGoldenTest.template("gemma3").hasToolRole());
        assertTrue(ChatTemplate.of(null).hasToolRole(), "the plain format writes any role");
        // A template that renders only user and assistant turns, silently dropping others, has none either.
        var dropping = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("chat_template",
                "{% for m in messages %}{% if m.role in ['user', 'assistant'] %}{{ m.role }}: {{ m.content }}\n{% endif %}"
                        + "{% endfor %}");
        assertFalse(ChatTemplate.of(dropping).hasToolRole());
    }

    @Test
    void aConversationsPromptHasTheOptionsSystemTurnUnlessItHasItsOwn() throws IOException {
        ChatTemplate qwen = ChatTemplateGoldenTest.template("qwen2.5");
        ChatOptions options = new ChatOptions("Be brief.", Map.of());
        List<Message> turns = List.of(m("user", "a"), m("assistant", "b"), m("user", "c"));
        List<Message> withSystem = List.of(m("system", "Be brief."), m("user", "a"), m("assistant", "b"), m("user", "c"));
        assertEquals(qwen.render(withSystem, true), qwen.renderPrompt(turns, options));
        List<Message> own = List.of(m("system", "Own."), m("user", "c"));
        assertEquals(qwen.render(own, true), qwen.renderPrompt(own, options), "the conversation's own system turn wins");
        // One user turn: the same text as the user-turn fast path.
        assertEquals(qwen.userTurns(options).render("c"), qwen.renderPrompt(List.of(m("user", "c")), options));
        ChatTemplate gemma = ChatTemplateGoldenTest.template("gemma3");
        assertEquals(gemma.render(ToolTurns.fold(List.of(m("user", "a"), m("assistant", "b"), m("tool", "7"), m("user", "c"))), true),
                gemma.renderPrompt(List.of(m("user", "a"), m("assistant", "b"), m("tool", "7"), m("user", "c")), ChatOptions.NONE));
    }
}
