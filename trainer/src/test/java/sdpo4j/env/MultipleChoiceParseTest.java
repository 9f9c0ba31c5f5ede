package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import sdpo4j.env.choice.MultipleChoice;

class MultipleChoiceParseTest {
    private final MultipleChoice env = new MultipleChoice();

    private Score score(String response) throws Exception {
        Task t = new Task("q", "Q", new ObjectMapper().readTree("{\"prompt\":\"Q\",\"options\":[\"x\",\"y\",\"z\"],\"answer\":\"C\"}"));
        return env.score(t, response);
    }

    @Test
    void onlyUpperCaseLettersAreChoices() throws Exception {
        assertEquals(new Score(1, true, ""), score("ANSWER IS C"));
        assertEquals(new Score(1, true, ""), score("I cannot answer a question like this without thinking. C"));
        assertEquals(new Score(0, false, "No option letter was given. The correct answer is C: z."), score("the answer is c"));
        assertEquals(new Score(0, false, "Option B is wrong. The correct answer is C: z."), score("Answer: (B)"));
    }
}
