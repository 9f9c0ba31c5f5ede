package sdpo4j.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.IntFunction;

/**
 * Keys and values of every layer for the positions processed so far, {@code [B, kvHeads, S, D]}
 * per layer. Generation feeds one new token per step and attends to the cache instead of
 * recomputing the prefix. The cache also holds weights the model derives for decoding (see
 * {@link #layerWeights}): like the keys and values, they belong to one model and one generation.
 */
public final class KvCache implements AutoCloseable {
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;
    private Object weightsOwner;
    private NDList[] layerWeights;

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

    /**
     * Weights of {@code layer} derived from {@code owner}'s parameters (e.g. a fused projection),
     * made on first use and kept, outside the caller's scope, until this cache is closed.
     */
    NDList layerWeights(Object owner, int layer, IntFunction<NDList> make) {
        if (weightsOwner == null) {
            weightsOwner = owner;
            layerWeights = new NDList[keys.length];
        } else if (weightsOwner != owner) {
            throw new IllegalStateException("this KV cache was filled by another model");
        }
        if (layerWeights[layer] == null) {
            NDList w = make.apply(layer);
            NDScope.unregister(w);
            layerWeights[layer] = w;
        }
        return layerWeights[layer];
    }

    @Override
    public void close() {
        if (layerWeights != null) {
            for (NDList w : layerWeights) {
                if (w != null) {
                    w.close();
                }
            }
        }
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
        }
    }
}
