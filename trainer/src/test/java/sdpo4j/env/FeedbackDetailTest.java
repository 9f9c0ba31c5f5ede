package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.choice.MultipleChoice;
import sdpo4j.env.countdown.Countdown;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.env.sequence.WorldConfig;

/** Informative feedback says what the terse form does not; the terse form is the earlier text. */
class FeedbackDetailTest {
    @TempDir
    Path dir;

    static final FeedbackDetail INFO = FeedbackDetail.INFORMATIVE;

    @Test
    void arithmeticSaysByHowMuchAndWhichDigits() throws IOException {
        Arithmetic info = new Arithmetic(ArithmeticConfig.DEFAULT, INFO);
        Task t = ChoiceAndCountdownTest.task("{\"prompt\":\"30+7=\",\"answer\":37}");
        assertEquals("The answer 40 is 3 too large (the tens and units digits are wrong).", info.score(t, "40").feedback());
        assertEquals("The answer 34 is 3 too small (the units digit is wrong).", info.score(t, "34").feedback());
        assertEquals("The answer 137 is 100 too large (it has 3 digits, the answer 2).", info.score(t, "137").feedback());
        assertEquals("The answer -37 is 74 too small (only its sign is wrong).", info.score(t, "-37").feedback());
        assertEquals("The answer 47 is 10 too large (the tens digit is wrong).", info.score(t, "47").feedback());
        assertEquals("The answer 40 is too large.", new Arithmetic(ArithmeticConfig.DEFAULT, FeedbackDetail.TERSE)
                .score(t, "40").feedback());
        assertEquals("The answer 9223372036854775807 is 9223372036854775770 too large (it has 19 digits, the answer 2).",
                info.score(t, "9223372036854775807").feedback());
        assertEquals(new Score(1, true, ""), info.score(t, "37"));
    }

    @Test
    void countdownSaysTheDistanceToTheTargetAndWhatWasLeftOut() throws IOException {
        Countdown info = new Countdown(0, INFO);
        Countdown terse = new Countdown(0, FeedbackDetail.TERSE);
        Task t = ChoiceAndCountdownTest.task(ChoiceAndCountdownTest.TASK); // [25,5,4,3] -> 80
        assertEquals("The equation equals 75, 5 below the target 80. Unused: 4, 5.", info.score(t, "25*3").feedback());
        assertEquals("The equation equals 25/3, 215/3 below the target 80. Unused: 4, 5.", info.score(t, "25/3").feedback());
        assertEquals("The equation equals 100, 20 above the target 80. Unused: 3, 5.", info.score(t, "25*4").feedback());
        assertEquals("The equation misses the target.", terse.score(t, "25*3").feedback());
        assertEquals("The number 7 is not allowed: use only [25,5,4,3].", info.score(t, "7*5").feedback());
        assertEquals("The equation is not valid.", terse.score(t, "7*5").feedback());
        assertEquals("The equation is not valid.", terse.score(t, "5/(4-4)").feedback());
    }

    @Test
    void multipleChoiceQuotesTheChosenOptionAndWhyItIsWrong() throws IOException {
        Task t = ChoiceAndCountdownTest.task("{\"prompt\":\"q\",\"options\":[\"Oxygen\",\"Carbon dioxide\"],\"answer\":\"B\","
                + "\"why_wrong\":{\"A\":\"plants give oxygen off\"}}");
        MultipleChoice info = new MultipleChoice(INFO);
        info.validate(t);
        assertEquals("Option A (Oxygen) is wrong: plants give oxygen off. The correct answer is B: Carbon dioxide.",
                info.score(t, "Answer: A").feedback());
        assertEquals("Option A is wrong. The correct answer is B: Carbon dioxide.",
                new MultipleChoice(FeedbackDetail.TERSE).score(t, "Answer: A").feedback());
        Path f = dir.resolve("mc.jsonl");
        Files.writeString(f, "{\"prompt\":\"q\",\"options\":[\"a\",\"b\"],\"answer\":\"B\",\"why_wrong\":{\"B\":\"x\"}}\n");
        assertTrue(assertThrows(DatasetException.class, () -> Datasets.read(f, info)).getMessage()
                .contains("field 'why_wrong' must map wrong option letters (A..B, not the answer) to strings, got B: \"x\""));
    }

    @Test
    void sequenceQualityNamesThePoorPositions() throws IOException {
        Task t = SequenceQualityTest.task(4);
        SequenceWorld w = new SequenceWorld(WorldConfig.DEFAULT, 4);
        int[] s = {0, 1, 2, 3, 4, 5};
        StringBuilder poor = new StringBuilder();
        for (int p = 0; p < 6; p++) {
            if (w.quality(p, s[p]) < -0.5) {
                poor.append(poor.isEmpty() ? "" : ", ").append(p + 1).append(" (").append((char) ('A' + s[p])).append(")");
            }
        }
        String expected = poor.isEmpty() ? " No position is poor." : " Poor positions: " + poor + ".";
        Score terse = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.BINARY, 0, 0.7).score(t, "A B C D E F");
        Score info = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.BINARY, 0, 0.7, INFO).score(t, "A B C D E F");
        assertEquals(terse.feedback() + expected, info.feedback());
        assertEquals(terse.reward(), info.reward());
    }

    @Test
    void theConfigKeyPicksTheFormAndInformativeIsTheDefault() throws IOException {
        Task t = ChoiceAndCountdownTest.task("{\"prompt\":\"30+7=\",\"answer\":37}");
        assertEquals("The answer 34 is 3 too small (the units digit is wrong).",
                Environments.create(EnvConfig.DEFAULT).score(t, "34").feedback());
        EnvConfig terse = ConfigLoader.load(EnvConfig.class, EnvConfig.DEFAULT, null, List.of("feedback=terse"));
        assertEquals("The answer 34 is too small.", Environments.create(terse).score(t, "34").feedback());
    }
}
