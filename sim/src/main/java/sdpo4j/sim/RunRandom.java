package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One random stream per run, drawn on the host and seeded by the run's seed alone. A run's
 * samples and noise then depend on its own seed, not on which other runs share its batch or
 * thread, so a run reproduces exactly whether it is simulated alone or among hundreds; and
 * runs of different methods or oracles with the same seed see common random numbers, which
 * makes paired comparisons sharper (and shows the literal critique to be the continuous
 * oracle step for step).
 */
final class RunRandom {
    private final SplittableRandom[] streams;

    RunRandom(List<RunSpec> runs) {
        streams = new SplittableRandom[runs.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = stream(runs.get(i).seed());
        }
    }

    /** The random stream of a run with this seed. */
    static SplittableRandom stream(long seed) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
    }

    /**
     * Draws {@code rollouts} sequences per run from a factored policy given as probabilities
     * {@code probs[r][t][v]} (flattened), by inverse CDF on the host.
     * Sampling a categorical of 8 values is a handful of comparisons, far cheaper in a plain
     * loop than as broadcast tensor operations over {@code [R, B, T, V]}. The cumulative sums
     * are formed once per run and position, in double and in vocabulary order, and a token is
     * the number of them (the last excluded) that its uniform reaches: the first index where the
     * uniform falls below the running sum, as a scan finds it, but without a branch per token
     * that the processor mispredicts (the sums never decrease, so the two agree exactly).
     * Returns the tokens {@code [R][B][T]}, flattened.
     */
    long[] sample(float[] probs, int rollouts, int length, int vocab) {
        long[] tokens = new long[streams.length * rollouts * length];
        int edges = vocab - 1;
        double[] cdf = new double[length * edges];
        int i = 0;
        for (int r = 0; r < streams.length; r++) {
            for (int t = 0; t < length; t++) {
                int base = (r * length + t) * vocab;
                double c = 0;
                for (int v = 0; v < edges; v++) {
                    c += probs[base + v];
                    cdf[t * edges + v] = c;
                }
            }
            SplittableRandom s = streams[r];
            for (int b = 0; b < rollouts; b++) {
                for (int t = 0; t < length; t++) {
                    double u = s.nextDouble();
                    int from = t * edges;
                    int v = 0;
                    for (int e = 0; e < edges; e++) {
                        v += u >= cdf[from + e] ? 1 : 0;
                    }
                    tokens[i++] = v;
                }
            }
        }
        return tokens;
    }

    /**
     * Standard normals of shape {@code [R, dims...]}, drawn only for the runs where
     * {@code needed} is true; the others get zeros (their noise is multiplied by a zero sigma,
     * and drawing Gaussians on the host is the simulator's main host-side cost).
     */
    NDArray gaussian(NDManager m, boolean[] needed, long... dims) {
        return draw(m, needed, dims);
    }

    private NDArray draw(NDManager m, boolean[] needed, long... dims) {
        int per = 1;
        for (long d : dims) {
            per *= (int) d;
        }
        float[] x = new float[streams.length * per];
        for (int r = 0; r < streams.length; r++) {
            if (needed[r]) {
                SplittableRandom s = streams[r];
                for (int j = 0; j < per; j++) {
                    x[r * per + j] = (float) s.nextGaussian();
                }
            }
        }
        long[] shape = new long[dims.length + 1];
        shape[0] = streams.length;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        return m.create(x, new Shape(shape));
    }
}
