package sdpo4j.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;

/**
 * Keys and values of every layer for the positions processed so far, {@code [B, kvHeads, S, D]}
 * per layer. Generation feeds one new token per step and attends to the cache instead of
 * recomputing the prefix.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Positions already cached. */
    public long length() {
        return length;
    }

    /** Appends this step's keys and values of {@code layer}; returns the full cached keys and values. */
    NDList append(int layer, NDArray k, NDArray v) {
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
        if (layer == keys.length - 1) {
            length = keys[layer].getShape().get(2);
        }
        return new NDList(keys[layer], values[layer]);
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
        }
    }
}
