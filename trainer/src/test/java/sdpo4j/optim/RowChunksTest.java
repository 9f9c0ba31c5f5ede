package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RowChunksTest {
    /** The slices cover every row once, in order, each within the bound (or one row when a row is bigger). */
    @Test
    void slicesCoverTheRows() {
        List<NDIndex> parts = RowChunks.of(new Shape(10, 3), 7);
        assertEquals(5, parts.size(), "two rows of 3 per slice");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(30f).reshape(10, 3);
            float expected = 0;
            for (NDIndex p : parts) {
                NDArray slice = x.get(p);
                assertTrue(slice.size() <= 7 || slice.getShape().get(0) == 1, slice.getShape().toString());
                expected += slice.sum().getFloat();
            }
            assertEquals(x.sum().getFloat(), expected);
            assertEquals(10, RowChunks.of(new Shape(10, 3), 2).size(), "a row bigger than the bound is a slice of its own");
            assertEquals(1, RowChunks.of(new Shape(), 7).size(), "a scalar is one slice");
        }
    }

    /** The global norm over row slices of a gradient bigger than one slice equals the norm summed in doubles. */
    @Test
    void clippingNormOverSlicesIsTheNorm() {
        int rows = 3000, cols = 2000; // 6M entries: two slices of RowChunks.DEFAULT
        float[] g = new float[rows * cols];
        Random rnd = new Random(5);
        double sum = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian();
            sum += (double) g[i] * g[i];
        }
        assertTrue(RowChunks.of(new Shape(rows, cols), RowChunks.DEFAULT).size() > 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray grad = m.create(g, new Shape(rows, cols));
            double norm = GradientClipping.clipGlobalNorm(List.of(grad), 1e9);
            assertEquals(Math.sqrt(sum), norm, 1e-9 * Math.sqrt(sum));
        }
    }
}
