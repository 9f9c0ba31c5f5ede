package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopKDivergenceTest {
    static NDManager manager;
    static final Shape SHAPE = new Shape(2, 3, 7);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static double[] logits(long seed, double scale) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] x = new double[(int) SHAPE.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = scale * rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest(name = "alpha={0} tail={1} K={2} source={3} T={4}")
    @CsvSource({
        "1.0, true, 3, STUDENT, 1.0",
        "1.0, false, 3, STUDENT, 1.0",
        "1.0, true, 7, STUDENT, 1.0",
        "0.0, true, 3, STUDENT, 1.0",
        "0.0, false, 3, STUDENT, 1.0",
        "0.0, true, 7, STUDENT, 1.0",
        "0.5, true, 3, STUDENT, 1.0",
        "0.5, false, 3, STUDENT, 1.0",
        "0.5, true, 7, STUDENT, 1.0",
        "0.3, true, 3, TEACHER, 0.7",
        "1.0, true, 4, TEACHER, 1.3",
        "0.0, false, 2, TEACHER, 1.0",
    })
    void gradientMatchesFiniteDifferences(double alpha, boolean tail, int k, TopKSource source, double temperature) {
        DivergenceConfig cfg = new DivergenceConfig(k, source, tail, temperature, alpha, 2.0, DistillationMode.TOP_K);
        double[] teacher = logits(7, 2.0);
        GradCheck.assertGradientsMatch(manager, logits(3, 2.0), SHAPE,
                (m, x) -> TopKDivergence.perToken(x, m.create(teacher, SHAPE), cfg).sum(), 1e-6);
    }

    @Test
    void forwardKlOverWholeVocabularyHasTheSeedPaperGradient() {
        // Eq. 3 of the seed paper: d KL(teacher||student) / d student logits = pi_S - pi_T.
        DivergenceConfig cfg = new DivergenceConfig(7, TopKSource.STUDENT, true, 1.0, 0.0, 2.0, DistillationMode.TOP_K);
        double[] s = logits(11, 1.0);
        double[] t = logits(12, 1.0);
        double[] grad = GradCheck.autograd(manager, s, SHAPE,
                (m, x) -> TopKDivergence.perToken(x, m.create(t, SHAPE), cfg).sum());
        double[] expected = manager.create(s, SHAPE).softmax(-1).sub(manager.create(t, SHAPE).softmax(-1)).toDoubleArray();
        for (int i = 0; i < grad.length; i++) {
            assertEquals(expected[i], grad[i], 1e-12);
        }
    }

    @Test
    void tailBucketHoldsTheMassOutsideTheSupport() {
        NDArray logProbs = manager.create(logits(5, 3.0), SHAPE).logSoftmax(-1);
        DivergenceConfig cfg = DivergenceConfig.DEFAULT.withTopK(3);
        NDArray ids = TopKDivergence.supportIds(logProbs, logProbs, cfg);
        NDArray restricted = TopKDivergence.restrict(logProbs, ids, true);
        assertEquals(4, restricted.getShape().get(2));
        double[] r = restricted.toDoubleArray();
        double[] full = logProbs.exp().toDoubleArray();
        for (int pos = 0; pos < 6; pos++) {
            double onSupport = 0;
            for (int j = 0; j < 3; j++) {
                onSupport += Math.exp(r[pos * 4 + j]);
            }
            assertEquals(Math.log1p(-onSupport), r[pos * 4 + 3], 1e-9, "tail at position " + pos);
            // The support is the three most likely tokens.
            double third = 1;
            for (int j = 0; j < 3; j++) {
                third = Math.min(third, Math.exp(r[pos * 4 + j]));
            }
            for (int v = 0; v < 7; v++) {
                double p = full[pos * 7 + v];
                assertTrue(p <= third + 1e-15 || onSupportContains(r, pos, p), "token outside support more likely");
            }
        }
    }

    /**
     * A tail of probability zero (every entry outside the support masked to -inf, as a padded
     * vocabulary is, on both sides, or on one side only) keeps the divergence and its gradient
     * finite for every alpha: the SPEC's clamp of the tail, held by flooring log-probabilities
     * (Distributions.LOG_FLOOR) rather than by log(-expm1(min(lse_K, -1e-7))).
     */
    @ParameterizedTest(name = "alpha={0} masked student={1} masked teacher={2}")
    @CsvSource({"1.0, true, true", "0.0, true, true", "0.5, true, true", "1.0, true, false", "1.0, false, true",
        "0.0, false, true", "0.5, true, false"})
    void aTailOfProbabilityZeroGivesFiniteValuesAndGradients(double alpha, boolean maskStudent, boolean maskTeacher) {
        DivergenceConfig cfg = new DivergenceConfig(3, TopKSource.TEACHER, true, 1.0, alpha, 2.0, DistillationMode.TOP_K);
        double[] student = logits(21, 2.0);
        double[] teacher = logits(21, 2.0);
        // The first three vocabulary entries are the support (raised), the rest masked.
        for (int row = 0; row < 6; row++) {
            for (int v = 0; v < 7; v++) {
                int i = row * 7 + v;
                teacher[i] = v < 3 ? 5 + teacher[i] * 0.1 : (maskTeacher ? Double.NEGATIVE_INFINITY : teacher[i]);
                student[i] = v < 3 ? student[i] : (maskStudent ? Double.NEGATIVE_INFINITY : student[i]);
            }
        }
        double value = GradCheck.value(manager, student, SHAPE, (m, x) -> TopKDivergence.perToken(x, m.create(teacher, SHAPE), cfg).sum());
        assertTrue(Double.isFinite(value), "divergence " + value);
        double[] grad = GradCheck.autograd(manager, student, SHAPE, (m, x) -> TopKDivergence.perToken(x, m.create(teacher, SHAPE), cfg).sum());
        for (int i = 0; i < grad.length; i++) {
            assertTrue(Double.isFinite(grad[i]), "gradient " + i + " is " + grad[i]);
        }
    }

    private static boolean onSupportContains(double[] r, int pos, double p) {
        for (int j = 0; j < 3; j++) {
            if (Math.abs(Math.exp(r[pos * 4 + j]) - p) < 1e-12) {
                return true;
            }
        }
        return false;
    }

    @Test
    void identicalDistributionsHaveZeroDivergence() {
        for (double alpha : new double[] {0, 0.5, 1}) {
            DivergenceConfig cfg = DivergenceConfig.DEFAULT.withTopK(3).withAlpha(alpha);
            double[] s = logits(9, 2.0);
            NDArray d = TopKDivergence.perToken(manager.create(s, SHAPE), manager.create(s, SHAPE), cfg);
            for (double v : d.toDoubleArray()) {
                assertEquals(0, v, 1e-12);
            }
        }
    }

    @Test
    void jsdIsBoundedByLogTwoAndSymmetricAtHalf() {
        DivergenceConfig cfg = DivergenceConfig.DEFAULT.withTopK(7).withAlpha(0.5);
        NDArray a = manager.create(logits(1, 6.0), SHAPE);
        NDArray b = manager.create(logits(2, 6.0), SHAPE);
        double[] ab = TopKDivergence.perToken(a, b, cfg).toDoubleArray();
        double[] ba = TopKDivergence.perToken(b, a, cfg).toDoubleArray();
        for (int i = 0; i < ab.length; i++) {
            assertTrue(ab[i] >= 0 && ab[i] <= Math.log(2) + 1e-12);
            assertEquals(ab[i], ba[i], 1e-12);
        }
    }
}
