package sdpo4j.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Teacher forcing for batches whose rows repeat contexts, with the result of
 * {@link TeacherForcing#score}: the teacher contexts of a group repeat (one successful sibling
 * shown to many responses, the same feedback on the same wrong answer), and the distinct ones
 * still start alike (chat template, the group's prompt, the fixed text before the solution or
 * feedback). Credit's contrastive contexts repeat in the same way. Keys and values are computed
 * once per shared start (one batched pass), then once per distinct context on top of its start,
 * copied to the rows that use them, and the responses are scored on top in one multi-token
 * pass. The work then grows with the distinct text plus the response tokens instead of every
 * row's context plus response.
 *
 * <p>Built for the teacher, which scores without gradient.
 */
public final class SharedContextScoring {
    /** Contexts share a computed start only if it is at least this long: shorter saves less than a pass costs. */
    private static final int MIN_SHARED = 16;

    private SharedContextScoring() {}

    /**
     * Same arguments and result as {@link TeacherForcing#score}; logits equal it up to float
     * rounding (the cached pass sums in another order).
     */
    public static TeacherForcing.Scored score(DecoderLM model, NDManager m, List<long[]> contexts, List<long[]> responses,
            long padId) {
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
        try (CachedRows perContext = prefill(model, m, prefixes, padId); CachedRows rows = perContext.select(rowOf)) {
            List<long[]> inputs = new ArrayList<>();
            long[] start = new long[b];
            long[] tokens = new long[b * lr];
            float[] responseMask = new float[b * lr];
            for (int i = 0; i < b; i++) {
                long[] c = contexts.get(i);
                long[] r = responses.get(i);
                long[] in = new long[r.length];
                if (r.length > 0) {
                    in[0] = c[c.length - 1];
                    System.arraycopy(r, 0, in, 1, r.length - 1);
                }
                inputs.add(in);
                start[i] = c.length - 1;
                for (int j = 0; j < r.length; j++) {
                    tokens[i * lr + j] = r[j];
                    responseMask[i * lr + j] = 1;
                }
            }
            NDArray hidden = rows.extend(model, m, inputs, start, lr, padId);
            return new TeacherForcing.Scored(model.head(hidden), m.create(tokens, new Shape(b, lr)),
                    m.create(responseMask, new Shape(b, lr)));
        }
    }

    /**
     * Keys and values of every prefix, one cache row each: prefixes sorted so that those with a
     * long common start sit together, each run of them computed as one shared start (one pass
     * over all starts), then the rest of each prefix on top of its start (one pass).
     */
    private static CachedRows prefill(DecoderLM model, NDManager m, List<long[]> prefixes, long padId) {
        int n = prefixes.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Arrays.compare(prefixes.get(x), prefixes.get(y)));
        List<long[]> starts = new ArrayList<>();
        int[] startOf = new int[n];
        int shared = -1;
        int members = 0;
        for (int k = 0; k < n; k++) {
            long[] p = prefixes.get(order[k]);
            int common = shared < 0 ? 0 : commonLength(starts.get(shared), p);
            // Joining may shorten a run's shared start; at most to half, so that one odd prefix
            // does not take the shared part away from the others.
            if (shared < 0 || common < MIN_SHARED || members > 1 && 2 * common < starts.get(shared).length) {
                starts.add(p);
                shared = starts.size() - 1;
                members = 1;
            } else {
                starts.set(shared, Arrays.copyOf(p, common));
                members++;
            }
            startOf[order[k]] = shared;
        }
        long[] zero = new long[starts.size()];
        CachedRows computed = CachedRows.empty(model, starts.size());
        try {
            computed.extend(model, m, starts, zero, maxLength(starts), padId);
            if (starts.size() == n) {
                // Nothing shared: the starts are the prefixes, in sorted order.
                return computed.select(startOf);
            }
            List<long[]> rest = new ArrayList<>();
            long[] at = new long[n];
            for (int i = 0; i < n; i++) {
                long[] p = prefixes.get(i);
                at[i] = starts.get(startOf[i]).length;
                rest.add(Arrays.copyOfRange(p, (int) at[i], p.length));
            }
            CachedRows perPrefix = computed.select(startOf);
            try {
                perPrefix.extend(model, m, rest, at, maxLength(rest), padId);
                return perPrefix;
            } catch (RuntimeException e) {
                perPrefix.close();
                throw e;
            }
        } finally {
            computed.close();
        }
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

    /**
     * A KV cache and, per row, which of its positions are real tokens: rows are right-padded
     * blocks appended one after another, so a row's real positions need not be contiguous.
     */
    private static final class CachedRows implements AutoCloseable {
        private final int layers;
        private final KvCache cache;
        private long[][] valid;

        private CachedRows(int layers, KvCache cache, long[][] valid) {
            this.layers = layers;
            this.cache = cache;
            this.valid = valid;
        }

        static CachedRows empty(DecoderLM model, int rows) {
            int layers = model.config().numLayers();
            return new CachedRows(layers, new KvCache(layers), new long[rows][0]);
        }

        /** A copy holding rows {@code rows} of this one (a row may repeat). */
        CachedRows select(int[] rows) {
            long[][] v = new long[rows.length][];
            long[] index = new long[rows.length];
            for (int i = 0; i < rows.length; i++) {
                v[i] = valid[rows[i]];
                index[i] = rows[i];
            }
            return new CachedRows(layers, cache.length() == 0 ? new KvCache(layers) : cache.selectRows(index), v);
        }

        /**
         * Runs {@code tokens} (one block per row, right-padded to {@code width}) on top of the
         * cache, row i's block starting at position {@code start[i]}, and appends them; returns
         * the hidden states {@code [rows, width, H]}. Nothing is run when the blocks are empty.
         */
        NDArray extend(DecoderLM model, NDManager m, List<long[]> tokens, long[] start, int width, long padId) {
            if (width == 0) {
                return null;
            }
            int n = tokens.size();
            int past = (int) cache.length();
            int s = past + width;
            long[] ids = new long[n * width];
            long[] positions = new long[n * width];
            long[] mask = new long[n * s];
            long[][] next = new long[n][];
            Arrays.fill(ids, padId);
            for (int i = 0; i < n; i++) {
                long[] t = tokens.get(i);
                System.arraycopy(t, 0, ids, i * width, t.length);
                System.arraycopy(valid[i], 0, mask, i * s, past);
                for (int j = 0; j < t.length; j++) {
                    // Padding keeps position 0: past the longest sequence it could leave GPT-2's position table.
                    positions[i * width + j] = start[i] + j;
                    mask[i * s + past + j] = 1;
                }
                next[i] = Arrays.copyOfRange(mask, i * s, (i + 1) * s);
            }
            NDArray hidden = model.hidden(m.create(ids, new Shape(n, width)), m.create(positions, new Shape(n, width)),
                    m.create(mask, new Shape(n, s)), cache);
            valid = next;
            return hidden;
        }

        @Override
        public void close() {
            cache.close();
        }
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
