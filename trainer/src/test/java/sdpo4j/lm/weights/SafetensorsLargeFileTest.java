package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A safetensors file over 2 GiB (DJL's own reader cannot open one): a 2 GiB filler tensor,
 * then small tensors straddling and past the 2^31-byte mark. The file is sparse (only the header
 * and the small tensors are written), so it costs almost no disk or time; the filler is never
 * loaded. Tagged {@code large}: run with {@code mvn -B -o test -pl trainer -Plarge -Dtest=SafetensorsLargeFileTest}.
 */
@Tag("large")
class SafetensorsLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorsPastTwoGibibytesLoad() throws IOException {
        long twoGiB = 1L << 31;
        // filler: F32 [2^29 - 2], so the data section's byte 2^31 - 8 is where it ends.
        long fillerEnd = twoGiB - 8;
        float[] straddle = {1.5f, -2.25f, 3.125f, -4f}; // bytes [2^31 - 8, 2^31 + 8)
        short[] bf16 = {(short) 0x3F80, (short) 0xC040, (short) 0x4049}; // 1, -3, 3.140625
        float[] tail = {6f, 7f, 8f, 9f, 10f, 11f};
        long straddleEnd = fillerEnd + 4L * straddle.length;
        long bf16End = straddleEnd + 2L * bf16.length;
        long tailBegin = bf16End + 2; // a gap: no tensor claims these bytes
        long tailEnd = tailBegin + 4L * tail.length;
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"filler\":{\"dtype\":\"F32\",\"shape\":[" + (fillerEnd / 4) + "],\"data_offsets\":[0," + fillerEnd + "]},"
                + "\"straddle\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + fillerEnd + "," + straddleEnd + "]},"
                + "\"half\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[" + straddleEnd + "," + bf16End + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[" + tailBegin + "," + tailEnd + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + h.length;
        Path file = dir.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + tailEnd); // sparse: the filler's bytes are never written
            ByteBuffer head = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(h.length).put(h);
            raf.write(head.array());
            ByteBuffer data = ByteBuffer.allocate((int) (tailEnd - fillerEnd)).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : straddle) {
                data.putFloat(f);
            }
            for (short s : bf16) {
                data.putShort(s);
            }
            data.position((int) (tailBegin - fillerEnd));
            for (float f : tail) {
                data.putFloat(f);
            }
            raf.seek(dataStart + fillerEnd);
            raf.write(data.array());
        }
        assertTrue(Files.size(file) > twoGiB, "the file is over 2 GiB");

        Map<String, TensorInfo> infos = Safetensors.readHeader(file);
        assertEquals(4, infos.size());
        assertEquals(tailEnd, infos.get("tail").end());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = Safetensors.load(m, file, infos.get("straddle"));
            assertArrayEquals(new long[] {2, 2}, s.getShape().getShape());
            assertArrayEquals(straddle, s.toFloatArray());
            assertArrayEquals(new float[] {1f, -3f, 3.140625f}, Safetensors.load(m, file, infos.get("half")).toFloatArray());
            assertArrayEquals(tail, Safetensors.load(m, file, infos.get("tail")).toFloatArray());
        }
    }
}
