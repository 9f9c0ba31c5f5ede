package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.BiFunction;

/**
 * Finite-difference gradient checks in float64: the autograd gradient of a scalar function
 * of one tensor against central differences. Shared with the simulator's tests.
 */
public final class GradCheck {
    private GradCheck() {}

    /** Autograd gradient of {@code f(x)} at {@code x}. */
    public static double[] autograd(NDManager parent, double[] x, Shape shape, BiFunction<NDManager, NDArray, NDArray> f) {
        try (NDManager m = parent.newSubManager()) {
            NDArray input = m.create(x, shape);
            input.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(f.apply(m, input));
            }
            return input.getGradient().toDoubleArray();
        }
    }

    /** Value of {@code f(x)} with no gradient. */
    public static double value(NDManager parent, double[] x, Shape shape, BiFunction<NDManager, NDArray, NDArray> f) {
        try (NDManager m = parent.newSubManager()) {
            return f.apply(m, m.create(x, shape)).getDouble();
        }
    }

    /** Central differences with step {@code h}. */
    public static double[] numeric(NDManager parent, double[] x, Shape shape, BiFunction<NDManager, NDArray, NDArray> f, double h) {
        double[] grad = new double[x.length];
        double[] probe = x.clone();
        for (int i = 0; i < x.length; i++) {
            probe[i] = x[i] + h;
            double up = value(parent, probe, shape, f);
            probe[i] = x[i] - h;
            double down = value(parent, probe, shape, f);
            probe[i] = x[i];
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    /** Asserts autograd and finite differences agree to {@code tol} relative to the gradient's scale. */
    public static void assertGradientsMatch(NDManager m, double[] x, Shape shape, BiFunction<NDManager, NDArray, NDArray> f, double tol) {
        double[] analytic = autograd(m, x, shape, f);
        double[] numeric = numeric(m, x, shape, f, 1e-6);
        double scale = 0;
        for (double g : numeric) {
            scale = Math.max(scale, Math.abs(g));
        }
        assertTrue(scale > 1e-8, "gradient is identically zero: the check would prove nothing");
        for (int i = 0; i < x.length; i++) {
            assertEquals(numeric[i], analytic[i], tol * Math.max(1.0, scale),
                    "d loss / d x[" + i + "]: finite differences vs autograd");
        }
    }
}
