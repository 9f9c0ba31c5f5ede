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
 * @param matVecBytesPerSecond weight bytes read per second by the engine's {@code linear} on one
 *     input row (what each projection of a batch-1 decoding step is), cycling over weights that
 *     together are far larger than the caches. On a CPU this is libtorch's own ceiling for batch-1
 *     decoding, below the copy bound when its one-row product runs on one thread
 */
public record MachineLimits(double matmulFlops, double copyBytesPerSecond, double matVecBytesPerSecond) {

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
            double copy = 2.0 * elements * 4 / best;
            src.close();
            dst.close();
            return new MachineLimits(flops, copy, matVec(m, copyMiB, reps));
        }
    }

    /** Weight bytes a second through {@code linear} of one row by {@code [4096, 1024]} fp32 weights, {@code totalMiB} of them. */
    private static double matVec(NDManager m, int totalMiB, int reps) {
        int rows = 4096;
        int cols = 1024;
        int count = Math.max(1, totalMiB / 16); // 16 MiB a weight
        NDArray[] weights = new NDArray[count];
        for (int i = 0; i < count; i++) {
            weights[i] = m.randomNormal(new Shape(rows, cols));
        }
        NDArray x = m.randomNormal(new Shape(1, cols));
        double best = Double.POSITIVE_INFINITY;
        for (int r = -1; r < reps; r++) {
            long t0 = System.nanoTime();
            for (NDArray w : weights) {
                try (NDScope scope = new NDScope()) {
                    x.getNDArrayInternal().linear(x, w, null).singletonOrThrow().getFloat(0, 0);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (r >= 0) {
                best = Math.min(best, s);
            }
        }
        for (NDArray w : weights) {
            w.close();
        }
        return (double) count * rows * cols * 4 / best;
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

    /** Tokens per second of a decoding step whose only cost were its weights read at the engine's one-row rate. */
    public double matVecBoundTokensPerSecond(double bytesPerToken) {
        return matVecBytesPerSecond / bytesPerToken;
    }
}
