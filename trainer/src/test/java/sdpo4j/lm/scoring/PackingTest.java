package sdpo4j.lm.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the responses of the response pass go: rows per context, capacities, the fewest slots. */
class PackingTest {
    @Test
    void responsesOfAContextShareRowsUpToTheCapacity() {
        int[] contextOf = {0, 1, 0, 0, 1, 2, 0};
        int[] lengths = {3, 5, 2, 0, 4, 7, 2};
        List<long[]> responses = new ArrayList<>();
        for (int n : lengths) {
            responses.add(new long[n]);
        }
        Packing p = Packing.of(contextOf, responses, 6);
        // Context 0: 3 + 2 + 0 tokens in its first row, the last 2 no longer fit; context 1: 5, then 4
        // in a second row; context 2's 7 tokens exceed the capacity and get a row of their own.
        assertArrayEquals(new int[] {0, 1, 1, 2, 0}, p.contextOfRow());
        assertArrayEquals(new int[] {0, 1, 0, 0, 2, 3, 4}, p.rowOf());
        assertArrayEquals(new int[] {0, 0, 3, 5, 0, 0, 0}, p.offset());
        assertEquals(7, p.width());
    }

    @Test
    void theFewestSlotsPackingDoesNotLetOneFullRowSetEveryRowsWidth() {
        // Context 0 has six responses of 2 tokens, contexts 1-4 one each: capacity 12 puts context
        // 0 in one row of 12 and pads the four others to 12 (60 slots); capacity 4 gives 3 + 4
        // rows of 4 (28 slots), capacity 2 gives 6 + 4 rows of 2 (20 slots), the fewest.
        int[] contextOf = {0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        List<long[]> responses = new ArrayList<>();
        for (int i = 0; i < contextOf.length; i++) {
            responses.add(new long[2]);
        }
        assertEquals(60, Packing.of(contextOf, responses, 12).slots());
        assertEquals(28, Packing.of(contextOf, responses, 4).slots());
        Packing best = Packing.fewestSlots(contextOf, responses, 2, 12);
        assertEquals(20, best.slots());
        assertEquals(2, best.width());
    }
}
