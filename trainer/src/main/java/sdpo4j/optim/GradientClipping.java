package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * Global-norm gradient clipping: all gradients are scaled by one factor so that their joint
 * L2 norm is at most {@code maxNorm}. DJL's own {@code clipGrad} clamps each element instead,
 * which changes the gradient's direction.
 */
public final class GradientClipping {
    private GradientClipping() {}

    /**
     * Clips in place and returns the norm before clipping. A non-finite norm is returned as is
     * and nothing is scaled, so that the caller can stop with a clear message instead of
     * silently applying NaN.
     */
    public static double clipGlobalNorm(List<NDArray> gradients, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        double sumSquares = 0;
        for (NDArray g : gradients) {
            // Every intermediate is closed here: gradients live in the model's long-lived manager,
            // so anything derived from them would otherwise stay until the run ends. Row slices:
            // the fp64 copy of a whole embedding's gradient (1.1 GB at a 152k vocabulary) and its
            // square would be the largest arrays of a full fine-tuning step.
            for (NDIndex part : RowChunks.of(g.getShape(), RowChunks.DEFAULT)) {
                try (NDArray slice = g.get(part); NDArray wide = slice.toType(DataType.FLOAT64, false);
                        NDArray sq = wide.square(); NDArray sum = sq.sum()) {
                    sumSquares += sum.getDouble();
                }
            }
        }
        double norm = Math.sqrt(sumSquares);
        if (Double.isFinite(norm) && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            for (NDArray g : gradients) {
                g.muli(scale);
            }
        }
        return norm;
    }
}
