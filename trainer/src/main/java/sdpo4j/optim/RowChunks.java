package sdpo4j.optim;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Slices of an array along its first axis, each of at most about {@code maxElements} elements
 * (at least one row): element-wise work on a big array (the embedding of a 152k vocabulary is
 * 136M floats) done slice by slice holds a few MiB of temporaries instead of the array's size.
 * A scalar is one slice, the whole of it.
 */
public final class RowChunks {
    /** Elements per slice of the optimizer-side chunked loops: 16 MiB of fp32. */
    public static final long DEFAULT = 1 << 22;

    private RowChunks() {}

    public static List<NDIndex> of(Shape shape, long maxElements) {
        if (shape.dimension() == 0) {
            return List.of(new NDIndex());
        }
        long rows = shape.get(0);
        long perRow = Math.max(1, shape.size() / Math.max(1, rows));
        long step = Math.max(1, maxElements / perRow);
        List<NDIndex> out = new ArrayList<>();
        for (long from = 0; from < rows; from += step) {
            out.add(new NDIndex("{}:{}", from, Math.min(rows, from + step)));
        }
        return out;
    }
}
