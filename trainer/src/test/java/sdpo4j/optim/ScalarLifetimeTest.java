package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A garbage collection between the forward and the backward pass must not change a gradient.
 * It did: DJL wraps a Java number in a tensor over a buffer that only the collector frees, and
 * autograd kept reading that buffer after it was freed (see {@link Scalars}). Each test computes
 * a gradient twice, the second time forcing the collector to free every dropped buffer just
 * before the backward pass, and asks for bit-identical results.
 */
class ScalarLifetimeTest {
    static final double[] X = {0.7, -1.3, 2.1, -0.4, 0.05, -2.6};
    static final Shape S = new Shape(2, 3);

    /** Gradient of {@code sum(f(x))} at {@link #X}; with {@code release}, the collector runs before backward. */
    static double[] gradient(UnaryOperator<NDArray> f, boolean release) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X, S);
            x.setRequiresGradient(true);
            try (Autograd.Recording rec = Autograd.record()) {
                NDArray y = f.apply(x).sum();
                if (release) {
                    FreedMemory.release();
                }
                rec.backward(y);
            }
            return x.getGradient().toDoubleArray();
        }
    }

    /**
     * The mechanism this class relies on, shown on DJL itself: a number given to {@code mul} is
     * read again by the backward pass from freed memory. If this starts failing, DJL now copies
     * the number (or the collector no longer runs on request), and the other tests here have
     * lost their power to fail: find another way to free the buffer before trusting them.
     */
    @Test
    void djlsOwnNumberOverloadLosesItsScalarWhenTheCollectorRuns() {
        UnaryOperator<NDArray> f = x -> x.mul(0.5);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, gradient(f, false));
        assertNotEquals(0.5, gradient(f, true)[0], "the freed scalar was still read as 0.5");
    }

    static Stream<Arguments> scalarOps() {
        return Stream.of(
                Arguments.of("mul", (UnaryOperator<NDArray>) x -> Scalars.mul(x, 0.5)),
                Arguments.of("div", (UnaryOperator<NDArray>) x -> Scalars.div(x, 0.7)),
                Arguments.of("pow", (UnaryOperator<NDArray>) x -> Scalars.pow(x, 3)),
                Arguments.of("maximum", (UnaryOperator<NDArray>) x -> Scalars.maximum(x, -0.5)),
                Arguments.of("minimum", (UnaryOperator<NDArray>) x -> Scalars.minimum(x, 0.5)),
                Arguments.of("add then mul", (UnaryOperator<NDArray>) x -> Scalars.add(x, 1).mul(Scalars.sub(x, 2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scalarOps")
    void scalarsKeepTheirValueForTheBackwardPass(String name, UnaryOperator<NDArray> f) {
        assertArrayEquals(gradient(f, false), gradient(f, true));
    }

    /** Gradient of an objective's loss with respect to the student logits of the shared fixture. */
    static double[] objectiveGradient(ObjectiveConfig cfg, boolean offPolicy, boolean release) {
        Fixtures fx = new Fixtures(11);
        Objective objective = Objective.create(cfg);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = Fixtures.float64(m, fx.studentLogits, Fixtures.LOGITS);
            logits.setRequiresGradient(true);
            try (Autograd.Recording rec = Autograd.record()) {
                PolicyBatch.Builder b = fx.batch(m, logits);
                if (offPolicy) {
                    b.oldLogProbs(fx.oldLogProbs(m));
                }
                NDArray loss = objective.compute(b.build()).loss().sum();
                if (release) {
                    FreedMemory.release();
                }
                rec.backward(loss);
            }
            return logits.getGradient().toDoubleArray();
        }
    }

    @ParameterizedTest
    @EnumSource(ObjectiveKind.class)
    void everyObjectivesGradientSurvivesACollectionBeforeBackward(ObjectiveKind kind) {
        // Top-K below V (tail bucket), a temperature and the mixture divergence: every branch
        // of the divergence that multiplies, divides or floors by a number.
        ObjectiveConfig cfg = ObjectiveGradientTest.config(kind)
                .withDivergence(DivergenceConfig.DEFAULT.withTopK(3).withTemperature(0.7).withAlpha(0.5))
                .withGrpo(GrpoConfig.builder().epsHigh(0.28).build());
        boolean offPolicy = kind == ObjectiveKind.GRPO;
        double[] clean = objectiveGradient(cfg, offPolicy, false);
        assertArrayEquals(clean, objectiveGradient(cfg, offPolicy, true));
    }

    @Test
    void theDefaultReverseKlCreditGradientSurvivesACollectionBeforeBackward() {
        ObjectiveConfig cfg = ObjectiveGradientTest.config(ObjectiveKind.CREDIT);
        assertArrayEquals(objectiveGradient(cfg, true, false), objectiveGradient(cfg, true, true));
    }
}
