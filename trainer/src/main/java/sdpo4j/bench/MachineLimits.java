package sdpo4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What this machine can do at most through the engine, at the engine's thread count: the fp32
 * matrix-product rate and the memory copy bandwidth. Throughputs are reported as fractions of
 * these, measured in the same run, so that a loaded or a different machine scales both alike.
 * Each is the best of several runs: the limit is what the machine reaches when nothing else
 * holds it back.
 *
 * @param matmulFlops fp32 FLOP/s of an {@code n x n} by {@code n x n} product ({@code 2 n^3} FLOPs)
 * @param copyBytesPerSecond bytes moved per second by an in-place copy between two arrays
 *     far larger than the caches: each element is read once and written once, both counted
 */
public record MachineLimits(double matmulFlops, double copyBytesPerSecond) {

    /**
     * @param n matrix side (2048: 17 GFLOP a product, large enough for the library's best kernel)
     * @param copyMiB size of each of the two arrays of the copy
     * @param reps timed runs of each; the fastest counts
     */
    public static MachineLimits measure(int n, int copyMiB, int reps) {
        if (n < 1 || copyMiB < 1 || reps < 1) {
            throw new IllegalArgumentException("n, copyMiB and reps must be at least 1: " + n + ", " + copyMiB + ", " + reps);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            double best = Double.POSITIVE_INFINITY;
            for (int r = -1; r < reps; r++) {
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.getFloat(0, 0); // the product is done when a value of it can be read
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (r >= 0) {
                        best = Math.min(best, s);
                    }
                }
            }
            double flops = 2.0 * n * n * n / best;
            long elements = (long) copyMiB * (1 << 20) / 4;
            NDArray src = m.randomNormal(new Shape(elements));
            NDArray dst = m.zeros(new Shape(elements), DataType.FLOAT32);
            best = Double.POSITIVE_INFINITY;
            for (int r = -1; r < reps; r++) {
                long t0 = System.nanoTime();
                dst.set(new NDIndex(":"), src);
                double s = (System.nanoTime() - t0) / 1e9;
                if (r >= 0) {
                    best = Math.min(best, s);
                }
            }
            return new MachineLimits(flops, 2.0 * elements * 4 / best);
        }
    }

    /** The fraction of the matrix-product peak that {@code tokensPerSecond} at {@code flopsPerToken} reaches. */
    public double computeFraction(double tokensPerSecond, double flopsPerToken) {
        return tokensPerSecond * flopsPerToken / matmulFlops;
    }

    /**
     * Tokens per second a decoding step cannot beat when it must read {@code bytesPerToken} of
     * weights at the copy bandwidth (a copy reads and writes; a matrix-vector product only reads,
     * so this bound is the copy's total bytes moved per second over the weights' bytes).
     */
    public double bandwidthBoundTokensPerSecond(double bytesPerToken) {
        return copyBytesPerSecond / bytesPerToken;
    }
}
