package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Student logits with a response axis of size 1 (the simulator's factored policy) give the
 * same loss, and the summed gradient, as the same logits repeated for every response.
 */
class FactoredStudentTest {
    static final Shape COMPACT = new Shape(Fixtures.R, 1, Fixtures.L, Fixtures.V);

    @Test
    void compactStudentEqualsRepeatedStudent() {
        Fixtures fx = new Fixtures(5);
        double[] compact = Arrays.copyOf(fx.studentLogits, (int) COMPACT.size());
        try (NDManager manager = NDManager.newBaseManager()) {
            for (ObjectiveKind kind : ObjectiveKind.values()) {
                for (int k : new int[] {3, Fixtures.V}) {
                    ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind)
                            .withDivergence(DivergenceConfig.DEFAULT.withTopK(k));
                    double compactLoss = GradCheck.value(manager, compact, COMPACT,
                            (m, x) -> Objective.create(cfg).compute(fx.batch(m, x).build()).loss());
                    double repeatedLoss = GradCheck.value(manager, compact, COMPACT,
                            (m, x) -> Objective.create(cfg).compute(fx.batch(m, x.repeat(1, Fixtures.N)).build()).loss());
                    assertEquals(repeatedLoss, compactLoss, 1e-12, kind + " K=" + k);
                    double[] g1 = GradCheck.autograd(manager, compact, COMPACT,
                            (m, x) -> Objective.create(cfg).compute(fx.batch(m, x).build()).loss());
                    double[] g2 = GradCheck.autograd(manager, compact, COMPACT,
                            (m, x) -> Objective.create(cfg).compute(fx.batch(m, x.repeat(1, Fixtures.N)).build()).loss());
                    assertArrayEquals(g2, g1, 1e-12, kind + " K=" + k);
                }
            }
        }
    }
}
