package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.choice.MultipleChoice;
import sdpo4j.env.countdown.Countdown;

class ChoiceAndCountdownTest {
    @TempDir
    Path dir;

    static Task task(String json) throws IOException {
        var node = new ObjectMapper().readTree(json);
        return new Task("t", node.path("prompt").asText("p"), node);
    }

    final MultipleChoice mc = new MultipleChoice();

    @Test
    void multipleChoiceReadsTheChoiceAndStatesTheAnswer() throws IOException {
        Task t = task("{\"prompt\":\"q\",\"options\":[\"red\",\"green\",\"blue\"],\"answer\":\"B\"}");
        assertEquals(new Score(1, true, ""), mc.score(t, "The answer is B."));
        assertEquals(new Score(1, true, ""), mc.score(t, "I think A is tempting, but B"));
        assertEquals("Option C is wrong. The correct answer is B: green.", mc.score(t, "Answer: (C)").feedback());
        assertEquals("No option letter was given. The correct answer is B: green.", mc.score(t, "green").feedback());
    }

    @Test
    void theHandWrittenQuestionSetIsValid() {
        List<Task> tasks = Datasets.read(Path.of("../datasets/multiple-choice/questions.jsonl"), mc);
        assertTrue(tasks.size() >= 30);
        for (Task t : tasks) {
            assertTrue(mc.score(t, "Answer: " + t.fields().get("answer").asText()).success(), t.id());
        }
    }

    @Test
    void badMultipleChoiceLinesAreNamed() throws IOException {
        Path f = dir.resolve("mc.jsonl");
        Files.writeString(f, "{\"prompt\":\"q\",\"options\":[\"a\",\"b\"],\"answer\":\"C\"}\n");
        assertEquals(f + ":1: field 'answer' must be one of the option letters A..B, got \"C\"",
                assertThrows(DatasetException.class, () -> Datasets.read(f, mc)).getMessage());
        Files.writeString(f, "{\"prompt\":\"q\",\"options\":[\"a\"],\"answer\":\"A\"}\n");
        assertTrue(assertThrows(DatasetException.class, () -> Datasets.read(f, mc)).getMessage().contains("field 'options' must be a list of 2 to 10"));
    }

    final Countdown countdown = new Countdown(0.1);
    static final String TASK = "{\"prompt\":\"p\",\"numbers\":[25,5,4,3],\"target\":80}";

    @Test
    void countdownAcceptsValidEquationsExactly() throws IOException {
        Task t = task(TASK);
        assertEquals(new Score(1, true, ""), countdown.score(t, "(25-5)*4"));
        assertEquals(new Score(1, true, ""), countdown.score(t, "Let me think.\nAnswer: (25 - 5) * 4 = 80"));
        assertEquals(new Score(1, true, ""), countdown.score(task("{\"numbers\":[8,3,3],\"target\":8}"), "8/3*3"));
    }

    @Test
    void countdownNamesTheBrokenRule() throws IOException {
        Task t = task(TASK);
        assertEquals("The number 7 is not allowed: use only [25,5,4,3].", countdown.score(t, "7*4*3").feedback());
        assertEquals("The number 5 is used 2 times but given once.", countdown.score(t, "(25+5*5)").feedback());
        Score miss = countdown.score(t, "25*4-3");
        assertEquals("The equation equals 97, 17 above the target 80. Unused: 5.", miss.feedback());
        assertEquals(0.1, miss.reward(), 0, "partial credit for a valid equation that misses");
        assertEquals("The equation '(25-5*4' could not be read: a parenthesis is not closed.", countdown.score(t, "(25-5*4").feedback());
        assertEquals("The equation divides by zero.",
                countdown.score(task("{\"numbers\":[6,3,3],\"target\":2}"), "6/(3-3)").feedback());
        assertTrue(countdown.score(t, "no idea").feedback().startsWith("No equation was found"));
    }

    @Test
    void generatedCountdownTasksAreSolvableAndValid() {
        Path f = dir.resolve("cd.jsonl");
        Datasets.write(f, Countdown.generate(50, 3, "cd-"));
        List<Task> tasks = Datasets.read(f, countdown);
        assertEquals(50, tasks.size());
        assertEquals(Countdown.generate(50, 3, "cd-"), Countdown.generate(50, 3, "cd-"));
    }
}
