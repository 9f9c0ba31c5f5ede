package sdpo4j.lm.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Rewrites an fp32 safetensors file as bf16 or fp16, byte by byte, for the loader's tests. */
public final class HalfPrecisionFiles {
    private HalfPrecisionFiles() {}

    public static void rewrite(Path file, String dtype) throws IOException {
        Map<String, TensorInfo> header = Safetensors.readHeader(file);
        byte[] all = Files.readAllBytes(file);
        long dataStart = Safetensors.dataStart(file);
        StringBuilder json = new StringBuilder("{");
        ByteBuffer out = ByteBuffer.allocate((int) (all.length - dataStart) / 2).order(ByteOrder.LITTLE_ENDIAN);
        boolean first = true;
        for (TensorInfo t : header.values()) {
            long begin = out.position();
            ByteBuffer src = ByteBuffer.wrap(all, (int) (dataStart + t.begin()), (int) (t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN);
            while (src.hasRemaining()) {
                float f = src.getFloat();
                out.putShort(dtype.equals("BF16") ? toBf16(f) : toF16(f));
            }
            json.append(first ? "" : ",").append('"').append(t.name()).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":").append(java.util.Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(begin).append(',').append(out.position()).append("]}");
            first = false;
        }
        byte[] h = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer file2 = ByteBuffer.allocate(8 + h.length + out.position()).order(ByteOrder.LITTLE_ENDIAN);
        file2.putLong(h.length).put(h).put(out.array(), 0, out.position());
        Files.write(file, file2.array());
    }

    /** Round to nearest even, as torch does. */
    public static short toBf16(float f) {
        return Safetensors.toBf16(f);
    }

    public static short toF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mant = bits & 0x7FFFFF;
        if (exp <= 0) {
            return (short) sign; // the test weights are far from fp16's subnormal range
        }
        if (exp >= 31) {
            return (short) (sign | 0x7C00);
        }
        int half = sign | (exp << 10) | (mant >> 13);
        if ((mant & 0x1FFF) > 0x1000 || ((mant & 0x1FFF) == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) half;
    }
}
