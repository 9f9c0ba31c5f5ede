package sdpo4j.lm.scoring;

import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.KvCache;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * A KV cache and, per row, which of its positions are real tokens: rows are right-padded
 * blocks appended one after another, so a row's real positions need not be contiguous.
 */
final class CachedRows implements AutoCloseable {
    /** In {@link #select}: a row with nothing cached. */
    static final int NONE = -1;
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

    /**
     * A copy holding rows {@code rows} of this one (a row may repeat); a row {@link #NONE}
     * holds no real position (a copy of row 0 with every position masked), for a sequence
     * that starts afresh on top of it.
     */
    CachedRows select(int[] rows) {
        long[][] v = new long[rows.length][];
        long[] index = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            v[i] = rows[i] == NONE ? new long[valid[0].length] : valid[rows[i]];
            index[i] = rows[i] == NONE ? 0 : rows[i];
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

    /**
     * The response pass: row p holds its lead (tokens continuing the row's cache, from
     * position {@code leadStart[p]}, causal), then its responses' inputs one after another
     * (a response's input is the context's last token, then all but its last token), each
     * seeing the row's cache, the whole lead and the earlier tokens of its own response only.
     * Returns the hidden states {@code [rows, width, H]}; the cache is not to be extended
     * afterwards.
     */
    NDArray extendPacked(DecoderLM model, NDManager m, Packing packing, List<long[]> leads, long[] leadStart,
            List<long[]> contexts, List<long[]> responses, long padId) {
        int rows = packing.contextOfRow().length;
        int width = packing.width();
        int past = (int) cache.length();
        int s = past + width;
        long[] ids = new long[rows * width];
        long[] positions = new long[rows * width];
        boolean[] mask = new boolean[rows * width * s];
        Arrays.fill(ids, padId);
        for (int p = 0; p < rows; p++) {
            long[] lead = leads.get(p);
            for (int q = 0; q < width; q++) {
                // Every slot sees the row's cache (a padding slot too: its output is never read),
                // and the lead up to itself.
                int at = (p * width + q) * s;
                for (int k = 0; k < past; k++) {
                    mask[at + k] = valid[p][k] != 0;
                }
                Arrays.fill(mask, at + past, at + past + Math.min(q + 1, lead.length), true);
            }
            for (int j = 0; j < lead.length; j++) {
                ids[p * width + j] = lead[j];
                positions[p * width + j] = leadStart[p] + j;
            }
        }
        for (int i = 0; i < responses.size(); i++) {
            long[] c = contexts.get(i);
            long[] r = responses.get(i);
            int p = packing.rowOf()[i];
            int first = packing.offset()[i];
            for (int j = 0; j < r.length; j++) {
                int slot = first + j;
                ids[p * width + slot] = j == 0 ? c[c.length - 1] : r[j - 1];
                positions[p * width + slot] = c.length - 1 + j;
                for (int k = first; k <= slot; k++) {
                    mask[(p * width + slot) * s + past + k] = true;
                }
            }
        }
        // With nothing cached the pass needs no cache: nothing extends it afterwards, and the
        // plain pass skips storing keys and values and deriving fused weights (measured 25.2 ->
        // 23.9 ms on 29 rows of 76 tokens).
        return model.hidden(m.create(ids, new Shape(rows, width)), m.create(positions, new Shape(rows, width)),
                m.create(mask, new Shape(rows, width, s)), past == 0 ? null : cache);
    }

    @Override
    public void close() {
        cache.close();
    }
}
