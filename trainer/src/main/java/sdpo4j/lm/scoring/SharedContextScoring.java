package sdpo4j.lm.scoring;

import sdpo4j.lm.model.DecoderLM;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Teacher forcing for batches whose rows repeat contexts, with the result of
 * {@link TeacherForcing#score}: the teacher contexts of a group repeat (one successful sibling
 * shown to many responses, the same feedback on the same wrong answer), and the distinct ones
 * still start alike (chat template, the group's prompt, the fixed text before the solution or
 * feedback). Credit's contrastive contexts repeat in the same way. Keys and values are computed
 * once per shared start (one batched pass, {@link PrefixSplit}), then each distinct context's rest on
 * top of its start, with the context's responses packed behind it in the same rows, one after
 * another, each seeing the context and its own earlier tokens ({@link Packing#of(int[], List, int[], int)}); or,
 * when that computes fewer positions, the rests in one pass and the responses in a pass of their
 * own. The plan with the fewest positions is taken ({@link TeacherPassPlan}), a pass counted as
 * {@link TeacherPassPlan#PASS_POSITIONS}. The work then grows with the distinct text plus the
 * response tokens instead of every row's context plus response.
 *
 * <p>This class runs the chosen plan on {@link CachedRows}; what to compute is decided by the
 * plan alone. Built for the teacher, which scores without gradient.
 */
public final class SharedContextScoring {
    /**
     * Rows of the response pass may hold this many tokens (more when a response is longer):
     * short responses of one context then share a row; the packing with the fewest slots up to
     * this capacity is used (see {@link Packing}).
     */
    static final int MIN_PACKED = 32;

    private SharedContextScoring() {}

    /**
     * Same arguments and result as {@link TeacherForcing#score}; logits equal it up to float
     * rounding (the cached pass sums in another order).
     */
    public static TeacherForcing.Scored score(DecoderLM model, NDManager m, List<long[]> contexts, List<long[]> responses,
            long padId) {
        return score(model, m, contexts, responses, padId, MIN_PACKED);
    }

    static TeacherForcing.Scored score(DecoderLM model, NDManager m, List<long[]> contexts, List<long[]> responses,
            long padId, int minPacked) {
        return score(model, m, contexts, responses, padId, minPacked, TeacherPassPlan.ResponsePass.CHEAPER,
                TeacherPassPlan.PASS_POSITIONS);
    }

    /**
     * With rows of a separate response pass holding up to {@code minPacked} tokens (or the longest
     * response if longer), and the plan with the fewest positions counting {@code passPositions} a
     * pass (tests set 0 to reach the two- and three-pass plans on small inputs).
     */
    static TeacherForcing.Scored score(DecoderLM model, NDManager m, List<long[]> contexts, List<long[]> responses,
            long padId, int minPacked, TeacherPassPlan.ResponsePass where, int passPositions) {
        int b = contexts.size();
        if (responses.size() != b) {
            throw new IllegalArgumentException(b + " contexts but " + responses.size() + " responses");
        }
        // A context's prefix is all but its last token: that token is fed with the response, so
        // the response pass's logits are exactly those predicting the response tokens.
        Map<Key, Integer> seen = new HashMap<>();
        List<long[]> prefixes = new ArrayList<>();
        int[] rowOf = new int[b];
        int lr = 1;
        for (int i = 0; i < b; i++) {
            long[] c = contexts.get(i);
            if (c.length == 0) {
                throw new IllegalArgumentException("context " + i + " is empty: the first response token needs a context");
            }
            Integer d = seen.get(new Key(c));
            if (d == null) {
                d = prefixes.size();
                seen.put(new Key(c), d);
                prefixes.add(Arrays.copyOf(c, c.length - 1));
            }
            rowOf[i] = d;
            lr = Math.max(lr, responses.get(i).length);
        }
        TeacherPassPlan plan = TeacherPassPlan.cheapest(prefixes, rowOf, responses,
                Packing.fewestSlots(rowOf, responses, lr, Math.max(lr, minPacked)), where, passPositions);
        PrefixSplit split = plan.split();
        Packing packing = plan.packing();
        int[] row = packing.contextOfRow();
        try (CachedRows perRow = starts(model, m, padId, split, plan.withRests() ? row : identity(prefixes.size()))) {
            NDArray hidden;
            if (plan.withRests()) {
                // A context's lead sits in its one row: a context with several rows has no lead.
                List<long[]> leads = new ArrayList<>();
                long[] leadStart = new long[row.length];
                for (int p = 0; p < row.length; p++) {
                    leads.add(split.rest().get(row[p]));
                    leadStart[p] = split.at()[row[p]];
                }
                hidden = perRow.extendPacked(model, m, packing, leads, leadStart, contexts, responses, padId);
            } else {
                perRow.extend(model, m, split.rest(), split.at(), split.restWidth(), padId);
                try (CachedRows rows = perRow.select(row)) {
                    List<long[]> none = Collections.nCopies(row.length, new long[0]);
                    hidden = rows.extendPacked(model, m, packing, none, new long[none.size()], contexts, responses, padId);
                }
            }
            return responseLogits(model, m, hidden, packing, responses, lr);
        }
    }

    /**
     * One cache row for each of {@code prefixOfRow} (a prefix may repeat) holding its prefix's
     * start (the starts computed in one pass), or nothing.
     */
    private static CachedRows starts(DecoderLM model, NDManager m, long padId, PrefixSplit split, int[] prefixOfRow) {
        List<long[]> starts = split.starts();
        if (starts.isEmpty()) {
            return CachedRows.empty(model, prefixOfRow.length);
        }
        int[] startOfRow = new int[prefixOfRow.length];
        for (int p = 0; p < prefixOfRow.length; p++) {
            startOfRow[p] = split.startOf()[prefixOfRow[p]];
        }
        try (CachedRows computed = CachedRows.empty(model, starts.size())) {
            computed.extend(model, m, starts, new long[starts.size()], split.startWidth(), padId);
            return computed.select(startOfRow);
        }
    }

    /** Back to one row per response, {@code lr} wide: row i, position j is packed slot offset(i) + j. */
    private static TeacherForcing.Scored responseLogits(DecoderLM model, NDManager m, NDArray hidden, Packing packing,
            List<long[]> responses, int lr) {
        int b = responses.size();
        long[] gather = new long[b * lr];
        long[] tokens = new long[b * lr];
        float[] responseMask = new float[b * lr];
        for (int i = 0; i < b; i++) {
            long[] r = responses.get(i);
            long first = (long) packing.rowOf()[i] * packing.width() + packing.offset()[i];
            for (int j = 0; j < r.length; j++) {
                gather[i * lr + j] = first + j;
                tokens[i * lr + j] = r[j];
                responseMask[i * lr + j] = 1;
            }
        }
        long h = model.config().hiddenSize();
        NDArray picked = DecoderLM.lookup(hidden.reshape(-1, h), m.create(gather)).reshape(b, lr, h);
        return new TeacherForcing.Scored(model.head(picked), m.create(tokens, new Shape(b, lr)),
                m.create(responseMask, new Shape(b, lr)));
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** A context as a map key: equal when the token ids are. */
    private record Key(long[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(ids, k.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }
    }
}
