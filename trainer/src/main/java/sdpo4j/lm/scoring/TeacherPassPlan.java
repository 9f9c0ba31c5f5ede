package sdpo4j.lm.scoring;

import java.util.List;

/**
 * How one call of {@link SharedContextScoring} computes: the prefixes' split, the rows the
 * responses go to, and whether they sit behind the rests in the rests' pass or come in a pass
 * of their own. The cost model counts positions computed, plus {@link #PASS_POSITIONS} for each
 * pass after the first.
 */
record TeacherPassPlan(PrefixSplit split, Packing packing, boolean withRests) {
    /**
     * A pass's fixed cost in positions, for choosing how many passes to make: about 130 operations
     * of 20-30 us each whatever their size, and a pass on top of selected rows copies their keys
     * and values. Measured on the built-in model's batches (2 threads): a first pass over 32
     * positions 3.2 ms, a last pass 12-13 us a position.
     */
    static final int PASS_POSITIONS = 256;

    /**
     * Where the responses are scored: in a pass of their own after the prefixes' last pass
     * ({@code SEPARATE}), packed after each prefix's rest in that last pass ({@code WITH_RESTS}),
     * or whichever computes fewer positions counting a pass's fixed cost ({@code CHEAPER}).
     */
    enum ResponsePass { SEPARATE, WITH_RESTS, CHEAPER }

    /**
     * Of every split of the prefixes, with the responses behind the rests or apart (in
     * {@code separate}'s rows), the plan computing the fewest positions, each pass after the
     * first counted as {@code passPositions} more.
     */
    static TeacherPassPlan cheapest(List<long[]> prefixes, int[] contextOf, List<long[]> responses, Packing separate,
            ResponsePass where, int passPositions) {
        TeacherPassPlan best = null;
        long fewest = Long.MAX_VALUE;
        for (PrefixSplit candidate : PrefixSplit.candidates(prefixes)) {
            long first = candidate.starts().isEmpty() ? 0
                    : (long) candidate.starts().size() * candidate.startWidth() + passPositions;
            int[] restLength = candidate.rest().stream().mapToInt(r -> r.length).toArray();
            Packing withRests = Packing.afterLeads(contextOf, responses, restLength);
            long merged = first + withRests.slots();
            long apart = first + (long) prefixes.size() * candidate.restWidth() + separate.slots() + passPositions;
            if (where != ResponsePass.SEPARATE && merged < fewest) {
                best = new TeacherPassPlan(candidate, withRests, true);
                fewest = merged;
            }
            if (where != ResponsePass.WITH_RESTS && apart < fewest) {
                best = new TeacherPassPlan(candidate, separate, false);
                fewest = apart;
            }
        }
        return best;
    }
}
