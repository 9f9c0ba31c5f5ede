package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmaAndClippingTest {

    @Test
    void emaMovesTheTeacherTowardTheStudentAtRateR() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s1 = m.create(new float[] {1, 2, 3});
            NDArray s2 = m.create(new float[] {4}, new Shape(1, 1));
            EmaTeacher ema = EmaTeacher.copyOf(List.of(s1, s2), m);
            s1.muli(0).addi(11); // student steps to 11, 11, 11
            ema.update(0.1);
            assertArrayEquals(new float[] {2f, 2.9f, 3.8f}, ema.parameters().get(0).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {4f}, ema.parameters().get(1).toFloatArray(), 1e-6f);
            ema.update(1.0);
            assertArrayEquals(s1.toFloatArray(), ema.parameters().get(0).toFloatArray(), 0f);
        }
    }

    @Test
    void teacherNeverSharesStorageWithTheStudent() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[] {1, 2, 3});
            EmaTeacher ema = EmaTeacher.copyOf(List.of(s), m);
            s.addi(100);
            assertArrayEquals(new float[] {1, 2, 3}, ema.parameters().get(0).toFloatArray(), 0f);
            ema.parameters().get(0).addi(5);
            assertArrayEquals(new float[] {101, 102, 103}, s.toFloatArray(), 0f);
            assertThrows(IllegalArgumentException.class, () -> EmaTeacher.pairing(List.of(s), List.of(s)));
            assertThrows(IllegalArgumentException.class,
                    () -> EmaTeacher.pairing(List.of(m.zeros(new Shape(2))), List.of(s)));
            assertThrows(IllegalArgumentException.class, () -> ema.update(1.5));
        }
    }

    /**
     * The update reads the student through {@code stopGradient()}: that must make a detached view,
     * not detach the student itself, or the student's next backward pass would find no gradient.
     */
    @Test
    void updatingTheTeacherLeavesTheStudentsGradientPathIntact() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[] {1, 2, 3});
            s.setRequiresGradient(true);
            EmaTeacher ema = EmaTeacher.copyOf(List.of(s), m);
            ema.update(0.5);
            assertTrue(s.hasGradient(), "the student still requires a gradient after the teacher's update");
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = s.mul(s).sum();
                gc.backward(loss);
            }
            assertArrayEquals(new float[] {2, 4, 6}, s.getGradient().toFloatArray(), 0f);
        }
    }

    @Test
    void globalNormClippingScalesAllGradientsByOneFactor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3, 0});
            NDArray b = m.create(new float[] {0, 4});
            double norm = GradientClipping.clipGlobalNorm(List.of(a, b), 1.0);
            assertEquals(5.0, norm, 1e-9);
            assertArrayEquals(new float[] {0.6f, 0}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 0.8f}, b.toFloatArray(), 1e-6f);
            // Below the threshold nothing changes.
            assertEquals(1.0, GradientClipping.clipGlobalNorm(List.of(a, b), 2.0), 1e-6);
            assertArrayEquals(new float[] {0.6f, 0}, a.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void nonFiniteNormIsReportedNotApplied() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {Float.NaN, 1});
            NDArray b = m.create(new float[] {7, 1});
            assertTrue(Double.isNaN(GradientClipping.clipGlobalNorm(List.of(a, b), 1.0)));
            assertArrayEquals(new float[] {7, 1}, b.toFloatArray(), 0f);
        }
    }

    @Test
    void creditCorrelationOfTheTrueAdvantageIsOneAndOfItsNegativeMinusOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(5, 6, 8));
            NDArray logp = m.randomNormal(new Shape(5, 6, 8)).logSoftmax(-1);
            NDArray a = CreditCorrelation.trueAdvantage(q, logp);
            for (float v : CreditCorrelation.perPosition(a.mul(3), a).toFloatArray()) {
                assertEquals(1.0, v, 1e-5);
            }
            for (float v : CreditCorrelation.perPosition(a.neg(), a).toFloatArray()) {
                assertEquals(-1.0, v, 1e-5);
            }
            for (float v : CreditCorrelation.perPosition(a.zerosLike().add(2), a).toFloatArray()) {
                assertEquals(0.0, v, 0);
            }
            // E_pi[A*] = 0 at every position.
            for (float v : logp.exp().mul(a).sum(new int[] {-1}).toFloatArray()) {
                assertEquals(0.0, v, 1e-5);
            }
        }
    }

    @Test
    void zeroingClearsNonFiniteGradientsToo() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            ai.djl.ndarray.NDArray p = m.create(new float[] {1, 2, 3});
            p.setRequiresGradient(true);
            try (Autograd.Recording rec = Autograd.record()) {
                rec.backward(p.mul(m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1})).sum());
            }
            Autograd.zeroGradients(java.util.List.of(p));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 0, 0}, p.getGradient().toFloatArray());
        }
    }

    @Test
    void optimizerSideLoopsLeaveNoArrayBehind() {
        // Several row slices each, as a large embedding's gradient and moments have.
        Shape shape = new Shape(3 * (RowChunks.DEFAULT / 1000) + 5, 1000);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.randomUniform(-1f, 1f, shape);
            NDArray teacher = student.duplicate();
            EmaTeacher ema = EmaTeacher.pairing(List.of(teacher), List.of(student));
            ema.update(0.05);
            assertEquals(0, ManagedArrays.leftBehind(m, () -> ema.update(0.05)), "fp32 EMA step");
            NDArray g = m.randomUniform(-1f, 1f, shape);
            GradientClipping.clipGlobalNorm(List.of(g), 1.0);
            assertEquals(0, ManagedArrays.leftBehind(m, () -> GradientClipping.clipGlobalNorm(List.of(g), 1.0)), "gradient clipping");
            student.setRequiresGradient(true);
            AdamW adam = new AdamW(java.util.Map.of("w", student), m, 0.9, 0.999, 1e-8, 0.01);
            student.getGradient().set(new ai.djl.ndarray.index.NDIndex("..."), 0.5f);
            adam.step(java.util.Map.of("w", student), 1e-3);
            assertEquals(0, ManagedArrays.leftBehind(m, () -> adam.step(java.util.Map.of("w", student), 1e-3)), "AdamW step");
        }
    }
}
