package sdpo4j.lm.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the prefixes are computed: their shared starts in a first pass, then each prefix's rest
 * on top of its start ({@code at}: where the rest begins); with no starts, one pass over the
 * whole prefixes. Prefixes sorted so that those with a long common start sit together make a
 * run, computed as one shared start. A prefix that shares its start with no other (a group's
 * one solution context) goes whole into the rests or is a start of its own, whichever
 * computes fewer positions: among the starts it sets the width of every start, among the rests
 * of every rest.
 *
 * @param startOf the start each prefix continues, {@link CachedRows#NONE} for none
 */
record PrefixSplit(List<long[]> starts, int[] startOf, long[] at, List<long[]> rest) {
    /** Contexts share a computed start only if it is at least this long: shorter saves less than a pass costs. */
    private static final int MIN_SHARED = 16;

    /** One pass over the whole prefixes; and, when some share a start, starts for every run and for shared runs only. */
    static List<PrefixSplit> candidates(List<long[]> prefixes) {
        int n = prefixes.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Arrays.compare(prefixes.get(x), prefixes.get(y)));
        List<long[]> runs = new ArrayList<>();
        List<Integer> members = new ArrayList<>();
        int[] runOf = new int[n];
        for (int k = 0; k < n; k++) {
            long[] p = prefixes.get(order[k]);
            int last = runs.size() - 1;
            int common = last < 0 ? 0 : commonLength(runs.get(last), p);
            // Joining may shorten a run's shared start; at most to half, so that one odd prefix
            // does not take the shared part away from the others.
            if (last < 0 || common < MIN_SHARED || members.get(last) > 1 && 2 * common < runs.get(last).length) {
                runs.add(p);
                members.add(1);
            } else {
                runs.set(last, Arrays.copyOf(p, common));
                members.set(last, members.get(last) + 1);
            }
            runOf[order[k]] = runs.size() - 1;
        }
        PrefixSplit whole = of(prefixes, List.of(), runOf, List.of(), false);
        if (runs.size() == n) {
            return List.of(whole);
        }
        // Prefixes that share nothing set a pass's width either way, so two passes can compute
        // more positions than one pass over the whole prefixes (Credit's contrastive contexts,
        // where a few groups drew the same other prompt: measured 1.7x).
        return List.of(whole, of(prefixes, runs, runOf, members, true), of(prefixes, runs, runOf, members, false));
    }

    /** With {@code loners} true every run is a start, else only runs of two or more prefixes (none without runs). */
    private static PrefixSplit of(List<long[]> prefixes, List<long[]> runs, int[] runOf, List<Integer> members, boolean loners) {
        int[] rowOfRun = new int[runs.size()];
        List<long[]> starts = new ArrayList<>();
        for (int r = 0; r < runs.size(); r++) {
            rowOfRun[r] = loners || members.get(r) > 1 ? starts.size() : CachedRows.NONE;
            if (rowOfRun[r] != CachedRows.NONE) {
                starts.add(runs.get(r));
            }
        }
        int n = prefixes.size();
        int[] startOf = new int[n];
        long[] at = new long[n];
        List<long[]> rest = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] p = prefixes.get(i);
            startOf[i] = runs.isEmpty() ? CachedRows.NONE : rowOfRun[runOf[i]];
            at[i] = startOf[i] == CachedRows.NONE ? 0 : runs.get(runOf[i]).length;
            rest.add(Arrays.copyOfRange(p, (int) at[i], p.length));
        }
        return new PrefixSplit(starts, startOf, at, rest);
    }

    /** The longest start: the width of the first pass. */
    int startWidth() {
        return maxLength(starts);
    }

    /** The longest rest: the width of the rests' pass. */
    int restWidth() {
        return maxLength(rest);
    }

    private static int commonLength(long[] a, long[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    private static int maxLength(List<long[]> xs) {
        int max = 0;
        for (long[] x : xs) {
            max = Math.max(max, x.length);
        }
        return max;
    }
}
