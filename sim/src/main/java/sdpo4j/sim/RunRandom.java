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
            RunSpec r = runs.get(i);
            streams[i] = new SplittableRandom(r.seed() * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
        }
    }

    /** Uniforms in [0, 1) of shape {@code [R, dims...]}. */
    NDArray uniform(NDManager m, long... dims) {
        return draw(m, null, dims);
    }

    /**
     * Standard normals of shape {@code [R, dims...]}, drawn only for the runs where
     * {@code needed} is true; the others get zeros (their noise is multiplied by a zero sigma,
     * and drawing Gaussians on the host is the simulator's main host-side cost).
     */
    NDArray gaussian(NDManager m, boolean[] needed, long... dims) {
        return draw(m, needed, dims);
    }

    private NDArray draw(NDManager m, boolean[] gaussian, long... dims) {
        int per = 1;
        for (long d : dims) {
            per *= (int) d;
        }
        float[] x = new float[streams.length * per];
        for (int r = 0; r < streams.length; r++) {
            SplittableRandom s = streams[r];
            if (gaussian == null) {
                for (int j = 0; j < per; j++) {
                    x[r * per + j] = (float) s.nextDouble();
                }
            } else if (gaussian[r]) {
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
