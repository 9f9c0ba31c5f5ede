package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** PyTorch's AdamW written out in doubles, element by element: the reference. */
    static double[] reference(double[] p, double[][] grads, double[] lrs, double b1, double b2, double eps, double wd) {
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        p = p.clone();
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                p[i] *= 1 - lrs[t - 1] * wd;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lrs[t - 1] * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        return p;
    }

    @Test
    void matchesTheReferenceOverSeveralStepsAndSurvivesASaveRestore() {
        double[] start = {0.5, -1.25, 2.0, 0.0};
        double[][] grads = {{0.1, -0.2, 3.0, 0.0}, {-0.4, 0.1, 2.5, 1e-4}, {0.3, 0.3, -1.0, -2.0}, {1.0, -1.0, 0.5, 0.25}};
        double[] lrs = {0.01, 0.02, 0.02, 0.005};
        double[] expected = reference(start, grads, lrs, 0.9, 0.99, 1e-8, 0.1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(toFloat(start));
            p.setRequiresGradient(true);
            Map<String, NDArray> params = Map.of("w", p);
            AdamW adam = new AdamW(params, m, 0.9, 0.99, 1e-8, 0.1);
            for (int t = 0; t < grads.length; t++) {
                if (t == 2) {
                    // Continue with a fresh optimizer restored from the first one's state.
                    AdamW fresh = new AdamW(params, m, 0.9, 0.99, 1e-8, 0.1);
                    fresh.restore(adam.state(), adam.steps());
                    adam = fresh;
                }
                try (Autograd.Recording rec = Autograd.record()) {
                    rec.backward(p.mul(m.create(toFloat(grads[t]))).sum());
                }
                adam.step(params, lrs[t]);
                Autograd.zeroGradients(java.util.List.of(p));
            }
            float[] got = p.toFloatArray();
            for (int i = 0; i < start.length; i++) {
                assertEquals(expected[i], got[i], 1e-6, "element " + i);
            }
            assertEquals(4, adam.steps());
        }
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
