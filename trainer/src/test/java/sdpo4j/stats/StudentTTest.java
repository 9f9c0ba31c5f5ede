package sdpo4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Student's t against scipy (goldens: src/test/python/student_t_goldens.py). */
class StudentTTest {
    @Test
    void quantilesMatchScipy() {
        int[] df = {1, 2, 3, 4, 5, 6, 7, 9, 10, 19, 30, 99};
        double[] q = {12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146,
            2.4469118511449786, 2.364624251592784, 2.262157162798205, 2.228138851986274, 2.0930240544083087,
            2.0422724563012378, 1.9842169515864174};
        for (int i = 0; i < df.length; i++) {
            assertEquals(q[i], StudentT.twoSidedQuantile(0.95, df[i]), 1e-9, "df " + df[i]);
        }
    }

    @Test
    void cdfMatchesScipy() {
        assertEquals(0.2951672353008665, StudentT.twoSidedCdf(0.5, 1), 1e-12);
        assertEquals(0.7365484035287759, StudentT.twoSidedCdf(1.3, 4), 1e-12);
        assertEquals(0.914380671437024, StudentT.twoSidedCdf(2.0, 7), 1e-12);
        assertEquals(0.5001124298271156, StudentT.twoSidedCdf(0.7, 10), 1e-12);
        assertEquals(0.9926827694250888, StudentT.twoSidedCdf(3.1, 15), 1e-12);
        assertEquals(StudentT.twoSidedCdf(1.7, 5), StudentT.twoSidedCdf(-1.7, 5), 0);
    }

    @Test
    void intervalOfSeeds() {
        assertThrows(IllegalArgumentException.class, () -> StudentT.meanInterval(new double[] {0.4}, 0.95),
                "no interval from one seed");
        // mean 2, sample std 1 over 3 values: half width t(0.975, 2) / sqrt(3)
        Interval three = StudentT.meanInterval(new double[] {1, 2, 3}, 0.95);
        assertEquals(2, three.estimate(), 1e-15);
        assertEquals(2 - 4.302652729749462 / Math.sqrt(3), three.lo(), 1e-9);
        assertEquals(2 + 4.302652729749462 / Math.sqrt(3), three.hi(), 1e-9);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> StudentT.twoSidedCdf(1, 0));
        assertThrows(IllegalArgumentException.class, () -> StudentT.twoSidedQuantile(1.0, 3));
    }
}
