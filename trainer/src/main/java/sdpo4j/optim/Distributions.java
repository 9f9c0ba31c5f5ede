package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;

/**
 * Numerically safe building blocks over the last (vocabulary) axis. Everything here keeps
 * the input's data type, so gradient checks can run in float64.
 */
public final class Distributions {

    /**
     * Log-probabilities below this are treated as exactly zero probability. Finite, so that
     * {@code p * (log p - log q)} never evaluates {@code 0 * inf} (which is NaN, and stays NaN
     * in the backward pass even behind a {@code where}).
     */
    static final double LOG_FLOOR = -1e30;

    private Distributions() {}

    /** {@code log(sum(exp(x)))} over {@code axis}, kept as a size-1 axis; -inf rows give -inf. */
    public static NDArray logSumExp(NDArray x, int axis) {
        NDArray max = x.max(new int[] {axis}, true).stopGradient();
        // A row of all -inf would make x - max NaN; shifting it by 0 instead is exact.
        NDArray shift = NDArrays.where(max.isInfinite(), max.zerosLike(), max);
        // The x-sized intermediates are closed as soon as the sum exists: at an LM's vocabulary
        // each is a [responses, tokens, V] array. Closing a handle frees nothing autograd saved
        // for the backward (libtorch's graph holds its own reference), so the gradients are the same.
        try (NDArray shifted = x.sub(shift); NDArray e = shifted.exp(); NDArray sum = e.sum(new int[] {axis}, true);
                NDArray log = sum.log()) {
            return log.add(shift);
        }
    }

    /** Log-softmax at a temperature, floored so that zero-probability entries stay finite. */
    public static NDArray logSoftmax(NDArray logits, double temperature) {
        NDArray scaled = temperature == 1.0 ? logits : Scalars.div(logits, temperature);
        NDArray out;
        try (NDArray raw = logSoftmax(scaled)) {
            out = floor(raw);
        }
        if (scaled != logits) {
            scaled.close();
        }
        return out;
    }

    /**
     * Below this many entries on the last axis, (log-)softmax runs over columns: libtorch's
     * last-axis kernel treats a row shorter than one AVX-512 vector (16 floats) in a scalar loop
     * per row, several times slower than its kernel over a leading axis, which vectorises across
     * rows. The simulator's vocabulary of 8 is such an axis; an LM's is not.
     */
    static final long SHORT_AXIS = 16;

    /** Log-softmax over the last axis (no temperature, no floor), fast for a short axis. */
    public static NDArray logSoftmax(NDArray x) {
        return lastAxis(x, true);
    }

    /** Softmax over the last axis, fast for a short axis. */
    public static NDArray softmax(NDArray x) {
        return lastAxis(x, false);
    }

    /**
     * On a short axis the rows are laid out as columns {@code [V, rows]} (one copy), normalised
     * along the leading axis, and copied back. The kernel sums each column in vocabulary order,
     * as the per-row loop it replaces does; with AVX-512 the results are the same bits.
     */
    private static NDArray lastAxis(NDArray x, boolean log) {
        Shape shape = x.getShape();
        long v = shape.dimension() == 0 ? 0 : shape.get(shape.dimension() - 1);
        if (v >= SHORT_AXIS || v == 0 || shape.dimension() < 2) {
            return log ? x.logSoftmax(-1) : x.softmax(-1);
        }
        NDArray columns = x.reshape(-1, v).transpose();
        return (log ? columns.logSoftmax(0) : columns.softmax(0)).transpose().reshape(shape);
    }

    /** Clamps -inf (masked vocabulary entries) to {@link #LOG_FLOOR}. */
    static NDArray floor(NDArray logProbs) {
        return Scalars.maximum(logProbs, LOG_FLOOR);
    }

    /** Shannon entropy over the last axis from floored log-probabilities. */
    public static NDArray entropy(NDArray logProbs) {
        try (NDArray p = logProbs.exp(); NDArray plogp = p.mul(logProbs); NDArray sum = plogp.sum(new int[] {-1})) {
            return sum.neg();
        }
    }

    /** {@code KL(p || q)} over the last axis, both given as floored log-probabilities. */
    static NDArray kl(NDArray logP, NDArray logQ) {
        try (NDArray p = logP.exp(); NDArray ratio = logP.sub(logQ); NDArray terms = p.mul(ratio)) {
            return terms.sum(new int[] {-1});
        }
    }

    /** Log-probability of the chosen ids: {@code logProbs[..., ids[...]]}. */
    public static NDArray pick(NDArray logProbs, NDArray ids) {
        return logProbs.gather(ids.expandDims(-1), -1).squeeze(-1);
    }
}
