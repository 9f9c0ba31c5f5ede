package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Extreme logits (+-1e4) and masked (-inf) vocabulary entries give no NaN and no Inf. */
class NumericalStabilityTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static double[] extreme(double[] base, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] x = base.clone();
        for (int i = 0; i < x.length; i++) {
            int kind = rnd.nextInt(4);
            x[i] = kind == 0 ? 1e4 : kind == 1 ? -1e4 : kind == 2 ? Double.NEGATIVE_INFINITY : x[i];
            if (i % Fixtures.V == 0) {
                x[i] = 1e4; // every position keeps at least one finite, likely token
            }
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(ObjectiveKind.class)
    void noNanNoInfAtExtremeLogits(ObjectiveKind kind) {
        Fixtures fx = new Fixtures(3);
        double[] student = extreme(fx.studentLogits, 1);
        double[] teacher = extreme(fx.teacherLogits, 2);
        for (double alpha : new double[] {0, 0.5, 1}) {
            for (int k : new int[] {2, Fixtures.V}) {
                for (boolean tail : new boolean[] {true, false}) {
                    ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind).withDivergence(
                            DivergenceConfig.DEFAULT.withTopK(k).withAlpha(alpha).withTailBucket(tail));
                    double[] grad = GradCheck.autograd(manager, student, Fixtures.LOGITS, (m, x) -> {
                        // Sampled tokens must be possible under the student: take the argmax.
                        PolicyBatch.Builder b = PolicyBatch.builder(x, x.argMax(-1),
                                m.create(fx.mask, new ai.djl.ndarray.types.Shape(Fixtures.R, Fixtures.N, Fixtures.L)),
                                m.create(fx.rewards, new ai.djl.ndarray.types.Shape(Fixtures.R, Fixtures.N)))
                                .groupSize(Fixtures.G)
                                .teacher(m.create(teacher, Fixtures.LOGITS), null)
                                .contrastive(java.util.List.of(m.create(extreme(fx.contrastiveLogits, 4), Fixtures.LOGITS)))
                                .tokenQuality(m.create(fx.quality, new ai.djl.ndarray.types.Shape(Fixtures.R, Fixtures.N, Fixtures.L)));
                        ObjectiveResult r = Objective.create(cfg).compute(b.build());
                        for (Map.Entry<String, NDArray> e : r.metrics().entrySet()) {
                            for (double v : e.getValue().toDoubleArray()) {
                                assertTrue(Double.isFinite(v), kind + " metric " + e.getKey() + " = " + v);
                            }
                        }
                        return r.loss();
                    });
                    for (double g : grad) {
                        assertTrue(Double.isFinite(g), kind + " alpha " + alpha + " K " + k + " tail " + tail + ": gradient " + g);
                    }
                }
            }
        }
    }
}
