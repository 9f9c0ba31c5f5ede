package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.arithmetic.ArithmeticTool;
import sdpo4j.lm.text.ChatOptions;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.ChatTemplate.Message;

/**
 * Multi-turn tasks: a dataset prompt written as a conversation, its student prompt (the whole
 * conversation) and its teacher context (earlier turns kept, the last user turn rewritten) under
 * real chat templates against Jinja2's renders (teacher-contexts.json, written by
 * render_teacher_goldens.py), and the conversation-level bad input.
 */
class MultiTurnTaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ArithmeticTool env = new ArithmeticTool(ArithmeticConfig.DEFAULT, FeedbackDetail.TERSE);
    private final TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "default"));

    @TempDir
    Path dir;

    static JsonNode resource(String path) throws IOException {
        try (InputStream in = MultiTurnTaskTest.class.getResourceAsStream("/chat-templates/" + path)) {
            return JSON.readTree(in);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    @TestFactory
    List<DynamicTest> studentAndTeacherRenderAsJinja2UnderRealTemplates() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : resource("teacher-contexts.json").get("cases")) {
            String family = c.get("family").asText();
            tests.add(DynamicTest.dynamicTest(family + " " + c.get("name").asText(), () -> {
                ChatTemplate t = ChatTemplate.of(resource(family + "/tokenizer_config.json"));
                assertEquals(c.get("tool_role").asBoolean(), t.hasToolRole(), "tool role");
                Task task = Datasets.parse(Path.of("golden.jsonl"), 1, c.get("line").asText(), env);
                assertEquals(c.get("student").asText(), t.renderPrompt(task.conversation(), ChatOptions.NONE));
                TeacherContexts.Context ctx = new TeacherContexts.Context(text(c.get("solution")), text(c.get("feedback")));
                assertEquals(c.get("teacher").asText(), t.renderPrompt(contexts.conversation(task, ctx), ChatOptions.NONE));
            }));
        }
        return tests;
    }

    @Test
    void earlierTurnsArePreservedByteForByte() throws IOException {
        // Whitespace at both ends, CRLF, unicode outside the BMP, template syntax: all kept as written.
        List<Map<String, String>> turns = List.of(Map.of("role", "system", "content", "  Be exact.\r\n"),
                Map.of("role", "user", "content", "\t(3+4)-2= {{ x }} \uD83D\uDE00 \n"),
                Map.of("role", "assistant", "content", "<tool_call>\n{\"expression\": \"3+4\"}\n</tool_call>"),
                Map.of("role", "tool", "content", "7\n\n"), Map.of("role", "user", "content", " 7-2= "));
        String line = JSON.writeValueAsString(Map.of("prompt", turns, "answer", 5));
        Task task = Datasets.parse(Path.of("d.jsonl"), 1, line, env);
        List<Message> expected = turns.stream().map(m -> new Message(m.get("role"), m.get("content"))).toList();
        assertEquals(expected, task.conversation());
        assertEquals(" 7-2= ", task.prompt());
        List<Message> teacher = contexts.conversation(task, new TeacherContexts.Context("5", null));
        assertEquals(expected.subList(0, 4), teacher.subList(0, 4));
        assertEquals(new Message("user", contexts.render(" 7-2= ", new TeacherContexts.Context("5", null))), teacher.get(4));
        assertEquals(5, teacher.size());
        // Rendered: the teacher's text starts with the student's, up to and including the last user turn's prompt.
        ChatTemplate qwen = ChatTemplate.of(resource("qwen2.5/tokenizer_config.json"));
        String student = qwen.renderPrompt(task.conversation(), ChatOptions.NONE);
        String shared = student.substring(0, student.lastIndexOf(" 7-2= ") + " 7-2= ".length());
        assertTrue(qwen.renderPrompt(teacher, ChatOptions.NONE).startsWith(shared));
    }

    @Test
    void aSingleTurnTaskKeepsItsOneUserTurn() {
        Task task = new Task("t", "1+2=", JSON.createObjectNode());
        assertEquals(List.of(new Message("user", contexts.render("1+2=", new TeacherContexts.Context("3", null)))),
                contexts.conversation(task, new TeacherContexts.Context("3", null)));
    }

    private String refusal(String prompt) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt\":\"1+1=\",\"answer\":2}\n{\"prompt\":" + prompt + ",\"answer\":2}\n");
        return assertThrows(DatasetException.class, () -> Datasets.read(f, new sdpo4j.env.arithmetic.Arithmetic(
                ArithmeticConfig.DEFAULT))).getMessage();
    }

    @Test
    void badConversationsAreRefusedNamingTheLineAndTurn() throws IOException {
        String where = dir.resolve("bad.jsonl") + ":2: field 'prompt' ";
        assertEquals(where + "ends with a turn of role 'assistant' (turn 2 of 2); a conversation must end with a user turn, the "
                + "one the policy answers and the teacher context rewrites",
                refusal("[{\"role\":\"user\",\"content\":\"1+1=\"},{\"role\":\"assistant\",\"content\":\"2\"}]"));
        assertEquals(where + "ends with a turn of role 'tool' (turn 3 of 3); a conversation must end with a user turn, the "
                + "one the policy answers and the teacher context rewrites", refusal("[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"assistant\",\"content\":\"b\"},{\"role\":\"tool\",\"content\":\"7\"}]"));
        assertEquals(where + "turn 2 of 3 has role \"bot\"; allowed: [system, user, assistant, tool]", refusal(
                "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"bot\",\"content\":\"b\"},{\"role\":\"user\",\"content\":\"c\"}]"));
        assertEquals(where + "turn 1 of 1 has role (missing); allowed: [system, user, assistant, tool]",
                refusal("[{\"content\":\"a\"}]"));
        assertEquals(where + "turn 2 of 2 is a system turn; only the first turn may be one",
                refusal("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"system\",\"content\":\"b\"}]"));
        assertEquals(where + "is an empty conversation (it needs at least one user turn)", refusal("[]"));
        assertEquals(where + "turn 1 of 1 must be an object {\"role\": ..., \"content\": ...}, got \"1+1=\"", refusal("[\"1+1=\"]"));
        assertEquals(where + "turn 1 of 1 needs a string 'content', got 3", refusal("[{\"role\":\"user\",\"content\":3}]"));
        assertEquals(where + "turn 1 of 1 (the last user turn) is empty", refusal("[{\"role\":\"user\",\"content\":\" \"}]"));
        assertEquals(where + "turn 1 of 2 has key 'tool_calls'; a turn has only 'role' and 'content' (write a tool call as the "
                + "assistant turn's text)", refusal("[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[]},"
                + "{\"role\":\"user\",\"content\":\"a\"}]"));
        assertEquals(where + "must be a non-empty string or a conversation (a list of {\"role\", \"content\"} turns ending with a "
                + "user turn), got {\"role\":\"user\"}", refusal("{\"role\":\"user\"}"));
    }

    @Test
    void arithmeticToolTasksAreGeneratedValidAndScored() throws IOException {
        ArithmeticConfig cfg = ArithmeticConfig.builder().digits(1).operators(List.of("+", "-", "*")).build();
        Path f = dir.resolve("tool.jsonl");
        Datasets.write(f, ArithmeticTool.generate(cfg, 200, 5, "t"));
        List<Task> tasks = Datasets.read(f, env);
        assertEquals(200, tasks.size());
        for (Task t : tasks) {
            List<String> roles = t.conversation().stream().map(Message::role).toList();
            assertEquals(List.of("user", "assistant", "tool", "user"), roles);
            // (a op1 b) op2 c, the tool's value in place of the bracket: the last turn is "<value><op2><c>=".
            String first = t.history().get(0).content();
            String value = t.history().get(2).content();
            assertTrue(t.history().get(1).content().contains(first.substring(1, first.indexOf(')'))), t.id());
            String rest = first.substring(first.indexOf(')') + 1);
            assertEquals(value + rest, t.prompt());
            long v = Long.parseLong(value);
            long c = Long.parseLong(rest.substring(1, rest.length() - 1));
            long expected = switch (rest.charAt(0)) {
                case '+' -> v + c;
                case '-' -> v - c;
                default -> v * c;
            };
            assertEquals(expected, t.fields().get("answer").asLong(), t.id());
            assertEquals(1.0, env.score(t, String.valueOf(expected)).reward());
            assertEquals(0.0, env.score(t, String.valueOf(expected + 1)).reward());
        }
        // A single-turn arithmetic line is not an arithmetic-tool task.
        Path single = dir.resolve("single.jsonl");
        Files.writeString(single, "{\"prompt\":\"1+1=\",\"answer\":2}\n");
        assertEquals(single + ":1: field 'prompt' must be a conversation with a tool turn (the calculator's result) before its "
                + "last user turn; got a single user turn", assertThrows(DatasetException.class, () -> Datasets.read(single, env))
                .getMessage());
        assertFalse(Environments.NAMES.stream().noneMatch("arithmetic-tool"::equals));
    }
}
