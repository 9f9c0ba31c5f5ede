package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Keys and values of every layer for the positions processed so far, {@code [B, kvHeads, S, D]}
 * per layer. Generation feeds one new token per step and attends to the cache instead of
 * recomputing the prefix. The cache also holds tensors the model derives for decoding (see
 * {@link #derived}): like the keys and values, they belong to one model and one generation.
 *
 * <p>Storage: a buffer per layer with room for {@code capacity} positions, written in place, so
 * a step copies only its new keys and values instead of the whole cache (a concat per step costs
 * O(S) and O(S^2) over a generation); the buffer doubles when full. While autograd records, the
 * cache concatenates instead: an in-place write would invalidate earlier steps' graphs.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long[] lengths;
    private final long capacityHint;
    private Boolean inPlace;
    private long length;
    private Object weightsOwner;
    /** Positions of the cached keys {@code [B, S]} (int64), kept for sliding-window models only; else null. */
    private NDArray positions;
    private final Map<Integer, NDList> derived = new HashMap<>();

    public KvCache(int layers) {
        this(layers, 0);
    }

    /** @param capacity positions to make room for up front (prompt + new tokens); grown when exceeded */
    public KvCache(int layers, long capacity) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
        lengths = new long[layers];
        capacityHint = capacity;
    }

    /** Positions already cached. */
    public long length() {
        return length;
    }

    /** Appends this step's keys and values of {@code layer}; returns the full cached keys and values. */
    NDList append(int layer, NDArray k, NDArray v) {
        if (inPlace == null) {
            inPlace = !JniUtils.isGradMode() && k instanceof PtNDArray;
        }
        NDList kv = inPlace ? write(layer, k, v) : concat(layer, k, v);
        if (layer == keys.length - 1) {
            length = lengths[layer];
        }
        return kv;
    }

    private NDList concat(int layer, NDArray k, NDArray v) {
        NDArray oldK = keys[layer];
        NDArray oldV = values[layer];
        keys[layer] = oldK == null ? k : NDArrays.concat(new NDList(oldK, k), 2);
        values[layer] = oldV == null ? v : NDArrays.concat(new NDList(oldV, v), 2);
        // The cache outlives the caller's per-step scope; the arrays it replaces do not.
        NDScope.unregister(keys[layer], values[layer]);
        if (oldK != null) {
            oldK.close();
            oldV.close();
        }
        lengths[layer] = keys[layer].getShape().get(2);
        return new NDList(keys[layer], values[layer]);
    }

    private NDList write(int layer, NDArray k, NDArray v) {
        long start = lengths[layer];
        long end = start + k.getShape().get(2);
        if (keys[layer] == null || end > keys[layer].getShape().get(2)) {
            long capacity = Math.max(end, Math.max(capacityHint, 2 * start));
            keys[layer] = grow(keys[layer], k, start, capacity);
            values[layer] = grow(values[layer], v, start, capacity);
        }
        put(keys[layer], k, start, end);
        put(values[layer], v, start, end);
        lengths[layer] = end;
        // Views of the filled part: one call each, no copy.
        return new NDList(JniUtils.slice((PtNDArray) keys[layer], 2, 0, end, 1),
                JniUtils.slice((PtNDArray) values[layer], 2, 0, end, 1));
    }

    /** A buffer like {@code like} with room for {@code capacity} positions, holding {@code old}'s first {@code filled}. */
    private static NDArray grow(NDArray old, NDArray like, long filled, long capacity) {
        long[] s = like.getShape().getShape();
        NDArray buffer = like.getManager().zeros(new Shape(s[0], s[1], capacity, s[3]), like.getDataType());
        NDScope.unregister(buffer);
        if (old != null) {
            if (filled > 0) {
                put(buffer, JniUtils.slice((PtNDArray) old, 2, 0, filled, 1), 0, filled);
            }
            old.close();
        }
        return buffer;
    }

    /** {@code buffer[:, :, start:end] = x} in place, one call. */
    private static void put(NDArray buffer, NDArray x, long start, long end) {
        long[] s = buffer.getShape().getShape();
        JniUtils.indexSet((PtNDArray) buffer, (PtNDArray) x, new long[] {0, 0, start, 0}, new long[] {s[0], s[1], end, s[3]},
                new long[] {1, 1, 1, 1});
    }

    /**
     * Appends the positions {@code [B, L]} of a pass's new tokens; returns those of every cached
     * and new key {@code [B, S]}. A sliding window masks keys by position, so the cache keeps them.
     */
    NDArray appendPositions(NDArray added) {
        NDArray old = positions;
        positions = old == null ? added.duplicate() : old.concat(added, 1);
        NDScope.unregister(positions);
        if (old != null) {
            old.close();
        }
        return positions;
    }

    /**
     * Tensors derived from {@code owner}'s parameters for this generation, under {@code key}: layer
     * {@code i}'s weights (e.g. a fused projection), which do not depend on the rows, under {@code i};
     * model-wide ones, which may (a decoding step's constants shaped by the batch), under negative keys.
     * Made on first use and kept, outside the caller's scope, until this cache is closed.
     */
    NDList derived(Object owner, int key, IntFunction<NDList> make) {
        if (weightsOwner == null) {
            weightsOwner = owner;
        } else if (weightsOwner != owner) {
            throw new IllegalStateException("this KV cache was filled by another model");
        }
        NDList w = derived.get(key);
        if (w == null) {
            w = make.apply(key);
            NDScope.unregister(w);
            derived.put(key, w);
        }
        return w;
    }

    /**
     * A new cache holding rows {@code rows} of this one, a row possibly several times: the keys
     * and values of one shared prefix computed once and handed to every sequence that continues
     * it. The copy concatenates when appended to (its first append is a whole block of tokens, so
     * a preallocated buffer would save nothing). The layers' derived weights (keys 0 and up) move
     * to the copy, which a pass continues next (deriving them is about 30 operations); a later pass
     * on this cache derives them again. Model-wide entries (negative keys) may depend on the rows
     * and stay.
     */
    public KvCache selectRows(long[] rows) {
        KvCache out = new KvCache(keys.length);
        out.inPlace = false;
        out.weightsOwner = weightsOwner;
        for (var it = derived.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, NDList> e = it.next();
            if (e.getKey() >= 0) {
                out.derived.put(e.getKey(), e.getValue());
                it.remove();
            }
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == null) {
                throw new IllegalStateException("layer " + i + " of this cache is empty");
            }
            out.keys[i] = takeRows(keys[i], lengths[i], rows);
            out.values[i] = takeRows(values[i], lengths[i], rows);
            NDScope.unregister(out.keys[i], out.values[i]);
            out.lengths[i] = lengths[i];
        }
        out.length = length;
        if (positions != null) {
            long s = positions.getShape().get(1);
            long[] all = positions.toLongArray();
            long[] picked = new long[(int) (rows.length * s)];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(all, (int) (rows[r] * s), picked, (int) (r * s), (int) s);
            }
            out.positions = positions.getManager().create(picked, new Shape(rows.length, s));
            NDScope.unregister(out.positions);
        }
        return out;
    }

    /** Rows of the first {@code filled} positions of {@code [N, kvHeads, capacity, D]}, one embedding lookup. */
    private static NDArray takeRows(NDArray buffer, long filled, long[] rows) {
        long[] s = buffer.getShape().getShape();
        NDArray table = JniUtils.slice((PtNDArray) buffer, 2, 0, filled, 1).reshape(s[0], -1);
        NDArray index = buffer.getManager().create(rows);
        NDArray picked = index.getNDArrayInternal().embedding(index, table, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
        return picked.reshape(rows.length, s[1], filled, s[3]);
    }

    @Override
    public void close() {
        for (NDList w : derived.values()) {
            w.close();
        }
        derived.clear();
        if (positions != null) {
            positions.close();
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
        }
    }
}
