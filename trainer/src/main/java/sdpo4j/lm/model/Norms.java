package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** LayerNorm and RMSNorm over the last axis, and the two-call RMSNorm of decoding steps. */
final class Norms {
    private Norms() {}

    static NDArray layer(NDArray x, NDArray weight, NDArray bias, ModelConfig cfg) {
        return LayerNorm.layerNorm(x, new Shape(cfg.hiddenSize()), weight, bias, (float) cfg.normEps()).singletonOrThrow();
    }

    /** {@code x / sqrt(mean(x^2) + eps) * weight}. */
    static NDArray rms(NDArray x, NDArray weight, Constants c) {
        return x.div(x.square().mean(new int[] {-1}, true).add(c.eps).sqrt()).mul(weight);
    }

    /**
     * {@code [x, c] / ||[x, c]||} over the last axis, {@code [..., H + 1]}, for the constant column c =
     * sqrt(H eps) ({@link #column}): its first H entries are RMSNorm(x) / sqrt(H) without the weight
     * (see {@link DecoderLM}'s speed notes), in two calls.
     */
    static NDArray unit(NDArray x, NDArray column) {
        return x.concat(column, -1).normalize(2, -1, 0);
    }

    /** {@link #unit}'s column {@code [B, L, 1]}, filled with sqrt(H eps). */
    static NDArray column(NDManager m, long b, long l, ModelConfig cfg) {
        return m.full(new Shape(b, l, 1), (float) Math.sqrt(cfg.hiddenSize() * cfg.normEps()));
    }

    /** The first {@code n} entries of the last axis, as a view. */
    static NDArray leading(NDArray x, long n) {
        if (x instanceof PtNDArray pt) {
            return JniUtils.slice(pt, x.getShape().dimension() - 1, 0, n, 1);
        }
        return x.get(new NDIndex("..., :{}", n));
    }
}
