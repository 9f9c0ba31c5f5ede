package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SgdTest {
    @Test
    void stepsAgainstTheGradientByItsMagnitude() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0.5f, -1.25f, 2f});
            p.setRequiresGradient(true);
            // Loss sum(p * c) has gradient c; SGD keeps its magnitude, unlike Adam.
            float[] c = {0.1f, -4f, 0f};
            try (Autograd.Recording rec = Autograd.record()) {
                rec.backward(p.mul(m.create(c)).sum());
            }
            new Sgd().step(Map.of("w", p), 0.5);
            float[] got = p.toFloatArray();
            assertEquals(0.5 - 0.05, got[0], 1e-6);
            assertEquals(-1.25 + 2, got[1], 1e-6);
            assertEquals(2, got[2], 1e-6);
        }
    }
}
