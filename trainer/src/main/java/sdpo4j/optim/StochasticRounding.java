package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * fp32 to fp16 with stochastic rounding: each value goes to the fp16 neighbour above with
 * probability (x - lo) / (hi - lo), else to the one below, so the rounding is unbiased. An EMA
 * stored in 16 bits needs it: with rate 0.05 and weights near 0.02 one step moves the teacher by
 * far less than half of fp16's spacing there (about 8e-6), and round-to-nearest would drop every
 * such step; rounded stochastically the steps survive in expectation.
 *
 * <p>fp16, not bf16: DJL 0.35's PyTorch JNI aborts the JVM ("terminate called without an active
 * exception") on any bf16 tensor, made by {@code toType} or from a buffer. fp16 has bf16's size,
 * more precision and range enough for weights (largest 65504; below 6e-5 the spacing stops
 * shrinking and rounding there is to nearest, an absolute error under 3e-8).
 *
 * <p>How: fp16 keeps 11 significant bits, so the spacing of the grid around a normal x is
 * {@code 2^(floor(log2|x|) - 10)}; adding uniform noise of one spacing centred on zero and then
 * rounding to nearest picks the upper neighbour with exactly that probability. Zeros stay zero
 * (their spacing computes to 0).
 */
public final class StochasticRounding {
    /** log2 of fp16's spacing relative to the binade: 10 stored mantissa bits. */
    private static final int MANTISSA_BITS = 10;

    private StochasticRounding() {}

    /** {@code x} (fp32) rounded stochastically to fp16; a new array, registered like any result. */
    public static NDArray toHalf(NDArray x) {
        NDManager m = x.getManager();
        try (NDArray magnitude = x.abs();
                NDArray log = magnitude.log2();
                NDArray exponent = log.floor();
                NDArray spacing = exponent.sub(MANTISSA_BITS).mul(Math.log(2)).exp();
                NDArray u = m.randomUniform(-0.5f, 0.5f, x.getShape());
                NDArray noise = u.mul(spacing);
                NDArray y = x.add(noise)) {
            return y.toType(DataType.FLOAT16, false);
        }
    }
}
