package sdpo4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void theIntervalsPositionAgainstZeroDecides() {
        assertEquals(Verdict.BETTER, Verdict.of(new Interval(0.1, 0.001, 0.2)));
        assertEquals(Verdict.WORSE, Verdict.of(new Interval(-0.1, -0.2, -0.001)));
        assertEquals(Verdict.NOT_DISTINGUISHABLE, Verdict.of(new Interval(0.1, -0.001, 0.2)));
        assertEquals(Verdict.NOT_DISTINGUISHABLE, Verdict.of(new Interval(-0.1, -0.2, 0.001)));
        // touching zero is not enough
        assertEquals(Verdict.NOT_DISTINGUISHABLE, Verdict.of(new Interval(0, 0, 0)));
        assertEquals("not distinguishable at this budget", Verdict.NOT_DISTINGUISHABLE.label());
    }

    @Test
    void meanStdIsTheSampleStandardDeviation() {
        MeanStd s = MeanStd.of(new double[] {1, 2, 3, 4});
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3), s.std(), 1e-12);
        assertEquals(0, MeanStd.of(new double[] {7}).std());
    }
}
