package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sdpo4j.config.ConfigException;

/** The three distillation modes: top-k, full and sampled-token (TRL's {@code distillation_mode}). */
class DistillationModeTest {
    static final int L = 3, V = 5;
    static final Shape ONE = new Shape(1, 1, L, V);
    static NDManager manager;
    static double[] student;
    static double[] teacher;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
        Random rnd = new Random(7);
        student = new double[L * V];
        teacher = new double[L * V];
        for (int i = 0; i < L * V; i++) {
            student[i] = 1.5 * rnd.nextGaussian();
            teacher[i] = 1.5 * rnd.nextGaussian();
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The sdpo loss of one response whose every position sampled {@code tokens[t]}. */
    static BiFunction<NDManager, NDArray, NDArray> sdpo(DivergenceConfig cfg, long[] tokens) {
        Objective sdpo = Objective.create(ObjectiveConfig.DEFAULT.withDivergence(cfg));
        return (m, x) -> sdpo.compute(batch(m, x, tokens)).loss();
    }

    static PolicyBatch batch(NDManager m, NDArray x, long[] tokens) {
        return PolicyBatch.builder(x, m.create(tokens, new Shape(1, 1, L)), m.ones(new Shape(1, 1, L)).toType(x.getDataType(), false),
                        m.create(new double[] {1.0}, new Shape(1, 1)))
                .teacher(m.create(teacher, ONE), null).build();
    }

    /**
     * The sampled-token gradient, averaged over the sampled token under the student's own
     * distribution (every token enumerated, weighted by its probability), is the gradient of
     * the full-vocabulary reverse KL: the identity that makes the one-sample estimate unbiased.
     */
    static double[] expectedSampledTokenGradient() {
        DivergenceConfig sampled = DivergenceConfig.DEFAULT.withMode(DistillationMode.SAMPLED_TOKEN);
        double[] expected = new double[L * V];
        for (int v = 0; v < V; v++) {
            long[] tokens = new long[L];
            Arrays.fill(tokens, v);
            double[] g = GradCheck.autograd(manager, student, ONE, sdpo(sampled, tokens));
            for (int t = 0; t < L; t++) {
                double p = probability(t, v);
                for (int w = 0; w < V; w++) {
                    expected[t * V + w] += p * g[t * V + w];
                }
            }
        }
        return expected;
    }

    static double probability(int t, int v) {
        return Math.exp(Fixtures.logProb(student, t, V, v));
    }

    @Test
    void sampledTokenGradientIsAnUnbiasedEstimateOfTheFullReverseKlGradient() {
        double[] expected = expectedSampledTokenGradient();
        long[] any = new long[L];
        double[] full = GradCheck.autograd(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withMode(DistillationMode.FULL), any));
        // Top-K over K = V is the whole vocabulary too: the same gradient from the default mode.
        double[] topK = GradCheck.autograd(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withTopK(V), any));
        double[] numeric = GradCheck.numeric(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withMode(DistillationMode.FULL), any), 1e-6);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(full[i], expected[i], 1e-12, "entry " + i);
            assertEquals(topK[i], expected[i], 1e-12, "entry " + i);
            assertEquals(numeric[i], expected[i], 1e-7, "entry " + i);
        }
    }

    @Test
    void oneSampledTokenMovesOnlyAlongItsOwnScoreFunction() {
        // Per position, the gradient is (log s(y) - log t(y)) / L * (onehot(y) - s).
        long[] tokens = {0, 3, 4};
        double[] g = GradCheck.autograd(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withMode(DistillationMode.SAMPLED_TOKEN), tokens));
        for (int t = 0; t < L; t++) {
            int y = (int) tokens[t];
            double logRatio = Math.log(probability(t, y)) - logTeacher(t, y);
            for (int w = 0; w < V; w++) {
                double score = (w == y ? 1 : 0) - probability(t, w);
                assertEquals(logRatio / L * score, g[t * V + w], 1e-12);
            }
        }
    }

    static double logTeacher(int t, int v) {
        return Fixtures.logProb(teacher, t, V, v);
    }

    @Test
    void sampledTokenKlMetricIsTheSampledLogRatio() {
        long[] tokens = {1, 2, 0};
        Objective sdpo = Objective.create(ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withMode(DistillationMode.SAMPLED_TOKEN)));
        try (NDManager m = manager.newSubManager()) {
            double kl = sdpo.compute(batch(m, m.create(student, ONE), tokens)).meanMetrics().get("kl");
            double expected = 0;
            for (int t = 0; t < L; t++) {
                expected += (Math.log(probability(t, (int) tokens[t])) - logTeacher(t, (int) tokens[t])) / L;
            }
            assertEquals(expected, kl, 1e-12);
        }
    }

    @Test
    void fullModeIgnoresTopK() {
        long[] tokens = new long[L];
        double full = GradCheck.value(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withTopK(2).withMode(DistillationMode.FULL), tokens));
        double whole = GradCheck.value(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withTopK(V), tokens));
        double top2 = GradCheck.value(manager, student, ONE, sdpo(DivergenceConfig.DEFAULT.withTopK(2), tokens));
        assertEquals(whole, full, 1e-12);
        assertTrue(Math.abs(top2 - full) > 1e-3, "top-2 and full should differ: " + top2 + " vs " + full);
    }

    @Test
    void sampledTokenRefusesAlphaOtherThanOneAndCredit() {
        ConfigException alpha = assertThrows(ConfigException.class,
                () -> DivergenceConfig.builder().mode(DistillationMode.SAMPLED_TOKEN).alpha(0.5).build());
        assertTrue(alpha.getMessage().contains("alpha"), alpha.getMessage());
        ConfigException credit = assertThrows(ConfigException.class, () -> ObjectiveConfig.DEFAULT.toBuilder()
                .name(ObjectiveKind.CREDIT).divergence(DivergenceConfig.DEFAULT.withMode(DistillationMode.SAMPLED_TOKEN)).build());
        assertTrue(credit.getMessage().contains("divergence.mode"), credit.getMessage());
    }
}
