package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import sdpo4j.env.countdown.Countdown;

/** Responses a policy can generate that must be scored, not crash the trainer or flood the teacher. */
class CountdownHostileTest {
    private final Countdown countdown = new Countdown(0);

    private Task task() throws Exception {
        return new Task("t", "p", new ObjectMapper().readTree("{\"prompt\":\"p\",\"numbers\":[25,5,4,3],\"target\":80}"));
    }

    @Test
    void deepParenthesesAreRefusedInsteadOfOverflowingTheStack() throws Exception {
        String deep = "(".repeat(200_000) + "25" + ")".repeat(200_000);
        Score s = countdown.score(task(), deep);
        assertEquals(0, s.reward());
        assertTrue(s.feedback().endsWith("could not be read: parentheses are nested more than 64 deep."), s.feedback());
        // 64 levels, the limit, still read; 65 do not.
        assertEquals(new Score(1, true, ""), countdown.score(task(), "(".repeat(63) + "(25-5)" + ")".repeat(63) + "*4"));
        assertTrue(countdown.score(task(), "(".repeat(64) + "(25-5)" + ")".repeat(64) + "*4").feedback().contains("nested more than 64"));
    }

    @Test
    void anUnreadableEquationIsQuotedShortly() throws Exception {
        Score s = countdown.score(task(), "25" + "+".repeat(10_000));
        assertEquals("The equation '25" + "+".repeat(78) + "...' could not be read: expected a number at '+'.", s.feedback());
    }
}
