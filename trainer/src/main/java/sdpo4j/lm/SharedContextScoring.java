package sdpo4j.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Teacher forcing for batches whose rows repeat contexts, with the result of
 * {@link TeacherForcing#score}: the teacher contexts of a group repeat (one successful sibling
 * shown to many responses, the same feedback on the same wrong answer), and Credit's
 * contrastive contexts repeat in the same way. Each distinct context's keys and values are
 * computed once (one batched prefill of the distinct contexts), copied to the rows that use it,
 * and the responses are scored on top of them in one multi-token pass. The work then grows with
 * the distinct contexts plus the response tokens instead of every row's context plus response.
 *
 * <p>Built for the teacher, which scores without gradient.
 */
public final class SharedContextScoring {
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
        // The prefix is the context without its last token: that token is fed with the response,
        // so the response pass's logits are exactly those predicting the response tokens.
        Map<Key, Integer> seen = new HashMap<>();
        List<long[]> distinct = new ArrayList<>();
        long[] rowOf = new long[b];
        int prefix = 0;
        int lr = 1;
        for (int i = 0; i < b; i++) {
            long[] c = contexts.get(i);
            if (c.length == 0) {
                throw new IllegalArgumentException("context " + i + " is empty: the first response token needs a context");
            }
            Integer d = seen.get(new Key(c));
            if (d == null) {
                d = distinct.size();
                seen.put(new Key(c), d);
                distinct.add(c);
                prefix = Math.max(prefix, c.length - 1);
            }
            rowOf[i] = d;
            lr = Math.max(lr, responses.get(i).length);
        }
        int layers = model.config().numLayers();
        try (KvCache shared = prefix == 0 ? new KvCache(layers) : prefill(model, m, distinct, prefix, padId, rowOf)) {
            long[] ids = new long[b * lr];
            long[] positions = new long[b * lr];
            long[] mask = new long[b * (prefix + lr)];
            long[] tokens = new long[b * lr];
            float[] responseMask = new float[b * lr];
            Arrays.fill(ids, padId);
            for (int i = 0; i < b; i++) {
                long[] c = contexts.get(i);
                long[] r = responses.get(i);
                int s = prefix + lr;
                Arrays.fill(mask, i * s, i * s + c.length - 1, 1);
                ids[i * lr] = c[c.length - 1];
                for (int j = 0; j < r.length; j++) {
                    if (j + 1 < r.length) {
                        ids[i * lr + j + 1] = r[j];
                    }
                    // Padding keeps position 0: past the longest sequence it could leave GPT-2's position table.
                    positions[i * lr + j] = c.length - 1 + j;
                    mask[i * s + prefix + j] = 1;
                    tokens[i * lr + j] = r[j];
                    responseMask[i * lr + j] = 1;
                }
            }
            NDArray hidden = model.hidden(m.create(ids, new Shape(b, lr)), m.create(positions, new Shape(b, lr)),
                    m.create(mask, new Shape(b, prefix + lr)), shared);
            return new TeacherForcing.Scored(model.head(hidden), m.create(tokens, new Shape(b, lr)),
                    m.create(responseMask, new Shape(b, lr)));
        }
    }

    /** Keys and values of the distinct prefixes (right-padded, one pass), copied to the rows {@code rowOf}. */
    private static KvCache prefill(DecoderLM model, NDManager m, List<long[]> distinct, int prefix, long padId, long[] rowOf) {
        int n = distinct.size();
        long[] ids = new long[n * prefix];
        long[] mask = new long[n * prefix];
        Arrays.fill(ids, padId);
        for (int d = 0; d < n; d++) {
            long[] c = distinct.get(d);
            System.arraycopy(c, 0, ids, d * prefix, c.length - 1);
            Arrays.fill(mask, d * prefix, d * prefix + c.length - 1, 1);
        }
        NDArray positions = m.arange(0, prefix, 1, DataType.INT64).reshape(1, prefix).repeat(0, n);
        try (KvCache cache = new KvCache(model.config().numLayers(), prefix)) {
            // Only the keys and values are wanted; the hidden states are dropped.
            model.hidden(m.create(ids, new Shape(n, prefix)), positions, m.create(mask, new Shape(n, prefix)), cache);
            return cache.selectRows(rowOf);
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
