package sdpo4j.lm.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which row of the response pass each response goes to: the responses of one context share
 * rows, one after another up to {@code capacity} tokens a row (a longer one gets a row of its
 * own), in the order they come. Packing fills slots that padding to the longest response
 * would compute anyway, and copies the context's keys and values once per row, not once
 * per response; the price is attention between a row's responses that the mask then
 * discards, at most {@code capacity} squared a row.
 *
 * @param contextOfRow the distinct context each row continues
 * @param rowOf the row of each response
 * @param offset where each response's first input token sits in its row
 * @param width the longest row
 */
record Packing(int[] contextOfRow, int[] rowOf, int[] offset, int width) {
    /**
     * Of the packings with capacities {@code from..to}, the one with the fewest slots (rows
     * times width; fewer rows on a tie). Rows are padded to the fullest one, so one context
     * with many responses (a sibling's solution shown to all the others) would otherwise
     * set the width of rows that hold one short response each: measured 4x padding on
     * batches with many distinct feedback contexts.
     */
    static Packing fewestSlots(int[] contextOf, List<long[]> responses, int from, int to) {
        return fewestSlots(contextOf, responses, noLeads(contextOf), from, to);
    }

    /** As {@link #fewestSlots(int[], List, int, int)}, for rows behind the contexts' leads ({@link #of(int[], List, int[], int)}). */
    static Packing fewestSlots(int[] contextOf, List<long[]> responses, int[] lead, int from, int to) {
        Packing best = null;
        for (int capacity = Math.max(1, from); capacity <= Math.max(from, to); capacity++) {
            Packing p = of(contextOf, responses, lead, capacity);
            if (best == null || p.slots() < best.slots()
                    || p.slots() == best.slots() && p.contextOfRow().length < best.contextOfRow().length) {
                best = p;
            }
        }
        return best;
    }

    /**
     * Behind the leads, the capacity with the fewest slots: from the longest response up to the
     * longest row of one row per context (a lead-free context's responses then fit one row).
     */
    static Packing afterLeads(int[] contextOf, List<long[]> responses, int[] lead) {
        int longest = responses.stream().mapToInt(r -> r.length).max().orElse(1);
        int oneRowEach = of(contextOf, responses, lead, Integer.MAX_VALUE).width();
        return fewestSlots(contextOf, responses, lead, longest, oneRowEach);
    }

    long slots() {
        return (long) contextOfRow.length * width;
    }

    static Packing of(int[] contextOf, List<long[]> responses, int capacity) {
        return of(contextOf, responses, noLeads(contextOf), capacity);
    }

    /**
     * Rows continuing each context's lead ({@code lead[c]} slots: the rest of its prefix,
     * computed in the same pass) with its responses one after another behind it: one row for
     * a context with a lead (its responses need the lead in their row); a context without
     * one (its prefix all cached, or a separate response pass) fills rows of up to
     * {@code capacity} tokens.
     */
    static Packing of(int[] contextOf, List<long[]> responses, int[] lead, int capacity) {
        int n = contextOf.length;
        int[] rowOf = new int[n];
        int[] offset = new int[n];
        List<Integer> contextOfRow = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        Map<Integer, Integer> openRow = new HashMap<>();
        int width = 1;
        for (int c = 0; c < lead.length; c++) {
            if (lead[c] > 0) {
                openRow.put(c, contextOfRow.size());
                contextOfRow.add(c);
                used.add(lead[c]);
                width = Math.max(width, lead[c]);
            }
        }
        for (int i = 0; i < n; i++) {
            int c = contextOf[i];
            int len = responses.get(i).length;
            Integer row = openRow.get(c);
            if (row == null || lead[c] == 0 && used.get(row) + len > capacity) {
                row = contextOfRow.size();
                contextOfRow.add(c);
                used.add(0);
                openRow.put(c, row);
            }
            rowOf[i] = row;
            offset[i] = used.get(row);
            used.set(row, offset[i] + len);
            width = Math.max(width, offset[i] + len);
        }
        return new Packing(contextOfRow.stream().mapToInt(Integer::intValue).toArray(), rowOf, offset, width);
    }

    private static int[] noLeads(int[] contextOf) {
        int contexts = 0;
        for (int c : contextOf) {
            contexts = Math.max(contexts, c + 1);
        }
        return new int[contexts];
    }
}
