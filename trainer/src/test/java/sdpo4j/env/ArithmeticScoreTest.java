package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

class ArithmeticScoreTest {
    @Test
    void anOverlongNumberIsQuotedShortly() throws Exception {
        Task t = new Task("t", "2+2=", new ObjectMapper().readTree("{\"prompt\":\"2+2=\",\"answer\":4}"));
        Score s = new Arithmetic(ArithmeticConfig.DEFAULT).score(t, "9".repeat(100_000));
        assertEquals(new Score(0, false, "The answer " + "9".repeat(24) + "... is not a valid integer (too many digits)."), s);
    }
}
