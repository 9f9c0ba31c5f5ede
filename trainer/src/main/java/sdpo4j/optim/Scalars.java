package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.BinaryOperator;

/**
 * Arithmetic between an array and a Java number that is safe to record for autograd. Use these
 * instead of DJL's {@code x.mul(0.5)}, {@code x.div(t)}, {@code x.pow(3)}, {@code x.maximum(v)}
 * and the like wherever the result may be back-propagated.
 *
 * <p>Why: on the CPU, DJL's PyTorch engine turns the number into a 0-d tensor over a Java direct
 * buffer without copying it ({@code torch::from_blob}), runs the operation, and closes that
 * array at once. Closing drops the only Java reference to the buffer, but autograd has saved the
 * tensor for the backward pass (mul, div, pow, maximum and minimum read it there). When a
 * garbage collection runs between the forward and the backward pass, the buffer is freed and
 * the backward pass reads whatever the allocator has put there since: the gradient silently
 * becomes zero, or NaN in every parameter below the operation while the loss stays finite (the
 * rare NaN gradient norm of docs/reliability.md). The 0-d tensors made here are allocated by
 * libtorch, which counts the graph's reference, so closing our handle right away is safe.
 *
 * <p>The scalar takes the array's data type and device; use these on floating-point arrays.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-d tensor holding {@code value}, in memory libtorch owns, with {@code like}'s data type and device. */
    public static NDArray of(NDArray like, double value) {
        return JniUtils.full((PtNDManager) like.getManager(), new Shape(), value, like.getDataType(), like.getDevice(),
                SparseFormat.DENSE);
    }

    public static NDArray add(NDArray x, double value) {
        return apply(x, value, NDArray::add);
    }

    public static NDArray sub(NDArray x, double value) {
        return apply(x, value, NDArray::sub);
    }

    public static NDArray mul(NDArray x, double value) {
        return apply(x, value, NDArray::mul);
    }

    public static NDArray div(NDArray x, double value) {
        return apply(x, value, NDArray::div);
    }

    public static NDArray pow(NDArray x, double exponent) {
        return apply(x, exponent, NDArray::pow);
    }

    public static NDArray maximum(NDArray x, double value) {
        return apply(x, value, NDArray::maximum);
    }

    public static NDArray minimum(NDArray x, double value) {
        return apply(x, value, NDArray::minimum);
    }

    /** {@code op(x, value)} with the value as a libtorch-owned 0-d tensor, closed once the result holds what it needs. */
    private static NDArray apply(NDArray x, double value, BinaryOperator<NDArray> op) {
        try (NDArray s = of(x, value)) {
            return op.apply(x, s);
        }
    }
}
