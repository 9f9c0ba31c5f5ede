package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.env.sequence.WorldConfig;

class SequenceQualityTest {
    static Task task(long seed) throws IOException {
        return new Task("s" + seed, "p", new ObjectMapper().readTree("{\"prompt\":\"p\",\"world_seed\":" + seed + "}"));
    }

    @Test
    void worldFollowsTheDrawOrderAndTheRewardFormula() {
        SequenceWorld w = new SequenceWorld(WorldConfig.DEFAULT, 11);
        Random rnd = new Random(11);
        for (int t = 0; t < 6; t++) {
            for (int v = 0; v < 8; v++) {
                assertEquals(rnd.nextGaussian(), w.quality(t, v), 0);
            }
        }
        for (int a = 0; a < 8; a++) {
            for (int b = 0; b < 8; b++) {
                assertEquals(0.5 * rnd.nextGaussian(), w.bigram(a, b), 1e-15);
            }
        }
        int[] target = new int[6];
        for (int t = 0; t < 6; t++) {
            target[t] = rnd.nextInt(8);
            assertEquals(target[t], w.target(t));
        }
        int[] s = {target[0], 3, 3, target[3], 0, 7};
        double sum = 0;
        for (int t = 0; t < 6; t++) {
            sum += w.quality(t, s[t]) + (s[t] == target[t] ? 1 : 0) + (t < 5 ? w.bigram(s[t], s[t + 1]) : 0);
        }
        assertEquals(1 / (1 + Math.exp(-sum / 6)), w.reward(s), 1e-12);
    }

    @Test
    void responsesAreScoredWithTheWorldsRewardAndRenderedFeedback() throws IOException {
        Task t = task(4);
        SequenceWorld w = new SequenceWorld(WorldConfig.DEFAULT, 4);
        SequenceQuality continuous = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.CONTINUOUS, 0, 0.7);
        Score s = continuous.score(t, "A B C D E F");
        assertEquals(w.reward(new int[] {0, 1, 2, 3, 4, 5}), s.reward(), 1e-12);
        assertEquals(String.format(java.util.Locale.ROOT, "Score: %.2f.", s.reward()), s.feedback());
        assertEquals(s.reward() >= 0.7, s.success());
        Score binary = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.BINARY, 0, 0.7).score(t, "A B C D E F");
        assertEquals(s.reward() > 0.5 ? "Pass." : "Fail.", binary.feedback());
        Score stars = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.ORDINAL, 0, 0.7).score(t, "A B C D E F");
        assertEquals(Math.round(4 * s.reward() + 1) + " out of 5 stars.", stars.feedback());
        Score critique = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.CRITIQUE, 0, 0.7).score(t, "A B C D E F");
        assertTrue(critique.feedback().contains(String.format(java.util.Locale.ROOT, "Position 1 (A): %s (%+.1f).",
                w.quality(0, 0) > 0.5 ? "good" : w.quality(0, 0) < -0.5 ? "poor" : "middling", w.quality(0, 0))), critique.feedback());
        Score malformed = continuous.score(t, "A B Z");
        assertEquals(0, malformed.reward());
        assertEquals("Write exactly 6 symbols from A-H, separated by spaces, and nothing else.", malformed.feedback());
        assertFalse(malformed.success());
    }

    @Test
    void noisyJudgementsAreStablePerResponse() throws IOException {
        SequenceQuality noisy = new SequenceQuality(WorldConfig.DEFAULT, SequenceQuality.Oracle.CONTINUOUS, 0.3, 0.7);
        Task t = task(2);
        assertEquals(noisy.score(t, "H G F E D C").feedback(), noisy.score(t, "H G F E D C").feedback());
    }

    @Test
    void trueAdvantageIsZeroInExpectation() {
        SequenceWorld w = new SequenceWorld(WorldConfig.DEFAULT, 9);
        double[][] p = new double[6][8];
        for (double[] row : p) {
            java.util.Arrays.fill(row, 1.0 / 8);
        }
        double[][] a = w.trueAdvantage(p);
        for (int t = 0; t < 6; t++) {
            double e = 0;
            for (int v = 0; v < 8; v++) {
                e += p[t][v] * a[t][v];
            }
            assertEquals(0, e, 1e-12);
        }
    }
}
