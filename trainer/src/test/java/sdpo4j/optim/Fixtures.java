package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;

/** A small random float64 batch: R runs of N responses (groups of G) of length L over V tokens. */
final class Fixtures {
    static final int R = 2, N = 4, G = 2, L = 3, V = 6;
    static final Shape LOGITS = new Shape(R, N, L, V);

    final double[] studentLogits;
    final double[] teacherLogits;
    final double[] contrastiveLogits;
    final long[] tokens;
    final double[] mask;
    final double[] rewards;
    final double[] oldLogProbs;
    final double[] quality;
    final double[] hasTeacher;

    Fixtures(long seed) {
        Random rnd = new Random(seed);
        studentLogits = gaussian(rnd, R * N * L * V, 1.5);
        teacherLogits = gaussian(rnd, R * N * L * V, 1.5);
        contrastiveLogits = gaussian(rnd, R * N * L * V, 1.5);
        tokens = new long[R * N * L];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(V);
        }
        mask = new double[R * N * L];
        for (int i = 0; i < mask.length; i++) {
            // The last position of every other response is padding.
            mask[i] = (i % L == L - 1 && (i / L) % 2 == 1) ? 0 : 1;
        }
        rewards = new double[R * N];
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] = rnd.nextDouble();
        }
        oldLogProbs = new double[R * N * L];
        for (int i = 0; i < oldLogProbs.length; i++) {
            oldLogProbs[i] = -1.0 - 2 * rnd.nextDouble();
        }
        quality = gaussian(rnd, R * N * L, 1.0);
        hasTeacher = new double[R * N];
        for (int i = 0; i < hasTeacher.length; i++) {
            hasTeacher[i] = i % 3 == 2 ? 0 : 1;
        }
    }

    private static double[] gaussian(Random rnd, int n, double scale) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = scale * rnd.nextGaussian();
        }
        return x;
    }

    /** A builder around the given student logits with every optional input this fixture has. */
    PolicyBatch.Builder batch(NDManager m, NDArray student) {
        return PolicyBatch.builder(student, m.create(tokens, new Shape(R, N, L)),
                        m.create(mask, new Shape(R, N, L)), m.create(rewards, new Shape(R, N)))
                .groupSize(G)
                .teacher(m.create(teacherLogits, LOGITS), m.create(hasTeacher, new Shape(R, N)))
                .contrastive(List.of(m.create(contrastiveLogits, LOGITS)))
                .tokenQuality(m.create(quality, new Shape(R, N, L)));
    }

    NDArray oldLogProbs(NDManager m) {
        return m.create(oldLogProbs, new Shape(R, N, L));
    }

    /** {@code log softmax(logits[row])[v]} over a vocabulary of {@code vocab}, in doubles (the reference for the objectives'). */
    static double logProb(double[] logits, int row, int vocab, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int w = 0; w < vocab; w++) {
            max = Math.max(max, logits[row * vocab + w]);
        }
        double z = 0;
        for (int w = 0; w < vocab; w++) {
            z += Math.exp(logits[row * vocab + w] - max);
        }
        return logits[row * vocab + v] - max - Math.log(z);
    }

    static NDArray float64(NDManager m, double[] x, Shape s) {
        return m.create(x, s).toType(DataType.FLOAT64, false);
    }
}
