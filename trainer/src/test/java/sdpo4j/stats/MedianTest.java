package sdpo4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MedianTest {
    @Test
    void theMiddleValueOrTheMeanOfTheTwoMiddleOnesAndTheInputLeftAlone() {
        double[] odd = {5.0, 1.0, 3.0};
        assertEquals(3.0, Median.of(odd));
        assertArrayEquals(new double[] {5.0, 1.0, 3.0}, odd, "the caller's array is not sorted in place");
        assertEquals(2.5, Median.of(new double[] {4.0, 1.0, 2.0, 3.0}));
        assertEquals(7.0, Median.of(new double[] {7.0}));
        assertThrows(IllegalArgumentException.class, () -> Median.of(new double[0]));
    }
}
