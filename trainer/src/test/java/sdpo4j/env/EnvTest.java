package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

class EnvTest {
    @TempDir
    Path dir;

    final Arithmetic arithmetic = new Arithmetic(ArithmeticConfig.DEFAULT);

    Task task(String json) throws IOException {
        return new Task("t", "12+7=", new ObjectMapper().readTree(json));
    }

    @Test
    void arithmeticScoresRightWrongAndUnreadableAnswers() throws IOException {
        Task t = task("{\"prompt\":\"12+7=\",\"answer\":19}");
        assertEquals(new Score(1, true, ""), arithmetic.score(t, " 19"));
        assertEquals(new Score(1, true, ""), arithmetic.score(t, "19 because 12 and 7"));
        Score wrong = arithmetic.score(t, "21");
        assertEquals(0, wrong.reward());
        assertEquals("The answer 21 is too large.", wrong.feedback());
        assertEquals("The answer could not be read: the response contains no integer.", arithmetic.score(t, "nineteen").feedback());
        Score revealed = new Arithmetic(new ArithmeticConfig(2, List.of("+"), 2, true)).score(t, "-3");
        assertEquals("The answer -3 is too small. The correct answer is 19.", revealed.feedback());
    }

    @Test
    void generatedArithmeticIsCorrectAndSeeded() {
        var tasks = Arithmetic.generate(ArithmeticConfig.builder().terms(3).build(), 200, 5, "a");
        assertEquals(tasks, Arithmetic.generate(ArithmeticConfig.builder().terms(3).build(), 200, 5, "a"));
        for (var t : tasks) {
            String expr = ((String) t.get("prompt")).replace("=", "");
            assertEquals(evaluate(expr), ((Number) t.get("answer")).longValue(), expr);
        }
    }

    /** An independent evaluator: split on + and - at the top level, then products. */
    static long evaluate(String expr) {
        long total = 0;
        int sign = 1;
        int start = 0;
        for (int i = 0; i <= expr.length(); i++) {
            if (i == expr.length() || ((expr.charAt(i) == '+' || expr.charAt(i) == '-') && i > start)) {
                long product = 1;
                for (String f : expr.substring(start, i).split("\\*")) {
                    product *= Long.parseLong(f);
                }
                total += sign * product;
                if (i < expr.length()) {
                    sign = expr.charAt(i) == '+' ? 1 : -1;
                }
                start = i + 1;
            }
        }
        return total;
    }

    String readError(String content) throws IOException {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, content);
        return assertThrows(DatasetException.class, () -> Datasets.read(f, arithmetic)).getMessage();
    }

    @Test
    void badDatasetLinesNameFileLineFieldAndReason() throws IOException {
        String f = dir.resolve("d.jsonl").toString();
        assertTrue(readError("{\"prompt\":\"1+1=\",\"answer\":2}\n{\"prompt\":\"2+2=\"\n").startsWith(f + ":2: not valid JSON: "));
        assertEquals(f + ":1: field 'answer' is missing (the integer value of the prompt)", readError("{\"prompt\":\"1+1=\"}\n"));
        assertEquals(f + ":1: field 'answer' must be an integer, got \"two\"", readError("{\"prompt\":\"1+1=\",\"answer\":\"two\"}\n"));
        assertEquals(f + ":1: field 'prompt' is missing", readError("{\"answer\":2}\n"));
        assertEquals(f + ":1: field 'prompt' must be a non-empty string or a conversation (a list of {\"role\", \"content\"} "
                + "turns ending with a user turn), got 5", readError("{\"prompt\":5,\"answer\":2}\n"));
        assertEquals(f + ":1: each line must be a JSON object, got ARRAY", readError("[1,2]\n"));
        assertEquals(f + ": the dataset has no tasks (an empty file, or only blank lines)", readError("\n\n"));
        assertTrue(readError("{\"prompt\":\"" + "x".repeat(Datasets.MAX_LINE_CHARS + 1) + "\"}\n").contains(":1: line longer than"));
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, new byte[] {'{', '"', 'p', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
        assertEquals(bad + ":1: not valid UTF-8 text", assertThrows(DatasetException.class, () -> Datasets.read(bad, arithmetic)).getMessage());
        assertEquals(dir.resolve("none.jsonl") + ": no such dataset file",
                assertThrows(DatasetException.class, () -> Datasets.read(dir.resolve("none.jsonl"), arithmetic)).getMessage());
    }

    @Test
    void goodDatasetsRoundTripThroughTheGenerator() {
        Path f = dir.resolve("gen.jsonl");
        Datasets.write(f, Arithmetic.generate(ArithmeticConfig.DEFAULT, 30, 1, "x"));
        List<Task> tasks = Datasets.read(f, arithmetic);
        assertEquals(30, tasks.size());
        assertEquals("x0", tasks.get(0).id());
        for (Task t : tasks) {
            assertTrue(arithmetic.score(t, String.valueOf(t.fields().get("answer").asLong())).success());
        }
    }

    static TeacherContexts.Rollout ok(String r) {
        return new TeacherContexts.Rollout(r, new Score(1, true, ""));
    }

    static TeacherContexts.Rollout bad(String r, String feedback) {
        return new TeacherContexts.Rollout(r, new Score(0, false, feedback));
    }

    final TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "default"));

    @Test
    void noSuccessGivesFeedbackOnlyAndNoFeedbackGivesNoTeacher() {
        var c = contexts.build(List.of(bad("3", "too small"), bad("4", "")), new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context(null, "too small")), c.get(0));
        assertEquals(Optional.empty(), c.get(1));
        String text = contexts.render("1+2=", c.get(0).orElseThrow());
        assertTrue(text.startsWith("1+2=") && text.contains("too small") && !text.contains("Correct solution"), text);
        assertTrue(text.endsWith("Now solve the original question correctly.\n"), text);
    }

    @Test
    void oneSuccessTeachesTheOthersButNotItself() {
        var c = contexts.build(List.of(bad("5", "too large"), ok("3"), bad("x", "unreadable")), new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context("3", null)), c.get(0));
        assertEquals(Optional.empty(), c.get(1), "the only success has no other solution and no feedback");
        assertEquals(Optional.of(new TeacherContexts.Context("3", null)), c.get(2));
        TeacherContexts always = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "x"),
                sdpo4j.env.RepromptConfig.builder().feedbackOnlyWithoutSolution(false).build());
        assertEquals(Optional.of(new TeacherContexts.Context("3", "too large")),
                always.build(List.of(bad("5", "too large"), ok("3")), new SplittableRandom(0)).get(0));
    }

    @Test
    void theContextAblationsShowOneSourceOnly() {
        TeacherContexts.Templates t = TeacherContexts.Templates.load(Path.of("../prompts"), "default");
        var group = List.of(bad("5", "too large"), ok("3"), bad("x", "unreadable"), ok("3 "));
        var solutionOnly = new TeacherContexts(t, sdpo4j.env.RepromptConfig.builder().includeFeedback(false).build()).build(group, new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context("3 ", null)), solutionOnly.get(1));
        assertEquals(Optional.of(new TeacherContexts.Context("3", null)), solutionOnly.get(3));
        assertTrue(List.of("3", "3 ").contains(solutionOnly.get(0).orElseThrow().solution()) && solutionOnly.get(0).orElseThrow().feedback() == null);
        // no success in the group: no sibling to show, and the feedback is not shown either
        assertEquals(List.of(Optional.empty(), Optional.empty()), new TeacherContexts(t, sdpo4j.env.RepromptConfig.builder().includeFeedback(false).build())
                .build(List.of(bad("5", "too large"), bad("6", "too small")), new SplittableRandom(0)));
        var feedbackOnly = new TeacherContexts(t, sdpo4j.env.RepromptConfig.builder().includeSolution(false).build()).build(group, new SplittableRandom(0));
        assertEquals(List.of(Optional.of(new TeacherContexts.Context(null, "too large")), Optional.empty(),
                Optional.of(new TeacherContexts.Context(null, "unreadable")), Optional.empty()), feedbackOnly,
                "failures see their feedback even beside a success; successes (no feedback) have no teacher");
    }

    @Test
    void severalSuccessesNeverShowAResponseItsOwnText() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            var c = contexts.build(List.of(ok("a"), ok("b"), ok("c"), bad("d", "f")), rng);
            for (int i = 0; i < 3; i++) {
                String own = List.of("a", "b", "c").get(i);
                assertFalse(c.get(i).orElseThrow().solution().equals(own));
            }
            assertTrue(List.of("a", "b", "c").contains(c.get(3).orElseThrow().solution()));
        }
    }

    @Test
    void teacherChatKeepsSystemMessagesAndReplacesTheUserTurn() {
        var sys = new sdpo4j.lm.text.ChatTemplate.Message("system", "Be exact.");
        var user = new sdpo4j.lm.text.ChatTemplate.Message("user", "1+2=");
        assertEquals(List.of(sys, new sdpo4j.lm.text.ChatTemplate.Message("user", "T")), TeacherContexts.asChat(List.of(sys, user), "T"));
    }

    @Test
    void everyEnvironmentIsSelectableFromAConfig() throws IOException {
        for (String name : Environments.NAMES) {
            Path f = dir.resolve(name + ".yaml");
            Files.writeString(f, "name: " + name + "\ncountdown-partial-credit: 0.2\nsequence-oracle: critique\n");
            EnvConfig cfg = sdpo4j.config.ConfigLoader.load(EnvConfig.class, EnvConfig.DEFAULT, f, List.of());
            if (name.equals("python-tests") && sdpo4j.env.python.Sandbox.unavailableReason(cfg.python()) != null) {
                continue;
            }
            assertEquals(name, Environments.create(cfg).name());
        }
        String bad = assertThrows(sdpo4j.config.ConfigException.class, () -> sdpo4j.config.ConfigLoader.load(EnvConfig.class,
                EnvConfig.DEFAULT, null, List.of("name=countdwn"))).getMessage();
        assertTrue(bad.contains("(did you mean 'countdown'?)"), bad);
    }

    @Test
    void contrastiveContextKeepsSolutionAndFeedbackWithAnotherPrompt() {
        TeacherContexts.Context ctx = new TeacherContexts.Context("{prompt} 42", "wrong");
        String own = contexts.render("6*7=", ctx);
        String other = contexts.render("9-1=", ctx);
        assertEquals(own.replace("6*7=", "9-1="), other);
        assertTrue(own.contains("{prompt} 42"), "placeholders inside a response are not expanded: " + own);
    }
}
