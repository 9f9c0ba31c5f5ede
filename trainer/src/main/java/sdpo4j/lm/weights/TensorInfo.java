package sdpo4j.lm.weights;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name tensor name
 * @param dtype "F32", "F16" or "BF16" (the types this reader widens to fp32)
 * @param shape dimensions
 * @param begin first byte, relative to the end of the header
 * @param end one past the last byte, relative to the end of the header
 */
public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
