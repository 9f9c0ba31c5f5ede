package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding of one model: inverse frequencies with HuggingFace's linear and
 * llama3 scalings, a table of cos and sin looked up by position, and its application to heads.
 */
final class Rope {
    private final DecoderSpec.Rotary spec;
    private final int headDim;
    private final int maxPositions;
    /** The parameters' manager: the table and the constant live as long as the model. */
    private final NDManager manager;
    private NDArray table;
    /** {@code [D, D]}: {@code x @ rotateHalf = cat(-x2, x1)}, HuggingFace's rotate_half. */
    private final NDArray rotateHalf;

    Rope(DecoderSpec.Rotary spec, int headDim, int maxPositions, NDManager manager) {
        this.spec = spec;
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        this.manager = manager;
        int d = headDim;
        float[] r = new float[d * d];
        for (int j = 0; j < d / 2; j++) {
            r[(j + d / 2) * d + j] = -1; // out[j] = -x[j + D/2]
            r[j * d + j + d / 2] = 1; // out[j + D/2] = x[j]
        }
        // Never closed: a graph may read it while the model lives.
        rotateHalf = manager.create(r, new Shape(d, d));
        NDScope.unregister(rotateHalf);
    }

    static float[] inverseFrequencies(int d, DecoderSpec.Rotary spec) {
        float[] inv = new float[d / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) (1.0 / Math.pow(spec.theta(), (2.0 * i) / d));
        }
        ModelConfig.RopeScaling s = spec.scaling();
        if (s == null) {
            return inv;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] /= (float) s.factor();
            }
            return inv;
        }
        // llama3: long wavelengths are scaled by the factor, short ones kept, smooth in between.
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen) {
                inv[i] = (float) (inv[i] / s.factor());
            } else if (wavelen >= highWavelen) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                inv[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
            }
        }
        return inv;
    }

    /** {@code x * cos + rotate_half(x) * sin} on {@code [..., D]}; rotate_half is a matmul with a constant. */
    NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }

    /** cos and sin {@code [B, L, 1, D]} for the positions {@code [B * L]}, looked up in the table. */
    NDList cosSin(long[] pos, long b, long l, NDManager m) {
        long[] rows = new long[pos.length];
        long max = 0;
        for (int i = 0; i < pos.length; i++) {
            rows[i] = pos[i] + 1;
            max = Math.max(max, pos[i]);
        }
        NDArray cs = DecoderLM.lookup(table(max), m.create(rows, new Shape(b, l)));
        return cs.reshape(b, l, 1, 2L * headDim).split(2, 3);
    }

    /**
     * For a decoding step (one token per sequence): cos and sin {@code [B, all, 1, D]} per sequence
     * and head, the token's rotation for the first {@code rotated} heads (q and k) and none (table
     * row 0) for the rest (v). (One rotation matrix per head applied with a batched matmul has
     * fewer operations but was slower: building the [B, heads, D, D] matrices and 1 x D by D x D
     * products cost more.)
     */
    NDList perHead(long[] pos, long b, int rotated, int all, NDManager m) {
        long[] rows = new long[(int) b * all];
        long max = 0;
        for (int i = 0; i < b; i++) {
            for (int h = 0; h < rotated; h++) {
                rows[i * all + h] = pos[i] + 1;
            }
            max = Math.max(max, pos[i]);
        }
        // Rows shaped [B, heads, 1]: the lookup is already [B, heads, 1, 2D], no reshape.
        return DecoderLM.lookup(table(max), m.create(rows, new Shape(b, all, 1))).split(2, 3);
    }

    /** cos and sin computed for arbitrary positions {@code [B, L] -> [B, L, D]} each. */
    private NDList at(NDArray positions) {
        NDManager m = positions.getManager();
        float[] inv = inverseFrequencies(headDim, spec);
        NDArray invFreq = m.create(inv).reshape(1, 1, inv.length);
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
        NDArray emb = NDArrays.concat(new NDList(angles, angles), -1);
        return new NDList(emb.cos(), emb.sin());
    }

    /**
     * Row 0: cos 1 and sin 0 (no rotation, for v heads); row p + 1: cos and sin of position p,
     * {@code [rows, 2D]}. Computed once for maxPositions and grown (doubling) when a longer
     * sequence asks for it, so a step looks its rows up instead of recomputing the angles.
     */
    private synchronized NDArray table(long maxPosition) {
        if (table != null && maxPosition + 1 < table.getShape().get(0)) {
            return table;
        }
        long size = Math.max(maxPositions, 1);
        while (size <= maxPosition) {
            size *= 2;
        }
        NDArray grown;
        try (NDManager scratch = manager.newSubManager()) {
            NDArray positions = scratch.arange(0, size, 1, DataType.INT64).reshape(1, -1);
            NDList cs = at(positions);
            int d = headDim;
            NDArray none = NDArrays.concat(new NDList(scratch.ones(new Shape(1, d)), scratch.zeros(new Shape(1, d))), 1);
            NDArray rows = NDArrays.concat(new NDList(cs.get(0), cs.get(1)), -1).reshape(size, 2L * d);
            grown = NDArrays.concat(new NDList(none, rows), 0);
            grown.attach(manager);
            NDScope.unregister(grown);
        }
        // The old table stays with the parameters' manager: another thread may be reading it.
        table = grown;
        return grown;
    }
}
