package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file written byte by byte, independently of our writer. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    @Test
    void roundTripKeepsNamesShapesValuesAndOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("b.weight", m.randomNormal(new Shape(3, 4)));
            tensors.put("a.bias", m.randomNormal(new Shape(5)));
            tensors.put("scalar", m.create(2.5f));
            Path f = dir.resolve("model.safetensors");
            Safetensors.write(f, tensors, Map.of("format", "pt"));
            Map<String, TensorInfo> header = Safetensors.readHeader(f);
            assertEquals(java.util.List.of("b.weight", "a.bias", "scalar"), java.util.List.copyOf(header.keySet()));
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray back = Safetensors.load(m, f, header.get(e.getKey()));
                assertEquals(e.getValue().getShape(), back.getShape());
                assertArrayEquals(e.getValue().toFloatArray(), back.toFloatArray(), 0f);
            }
            assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file left");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void tensorsLargerThanOneCopyAreWrittenInRowSlicesExactly() throws IOException {
        // Row counts that do not divide into the copy size, a row longer than it, a long vector, and
        // an fp16 array (the half-precision teacher's), whose slices are widened one at a time.
        long chunk = Safetensors.Tensor.CHUNK_ELEMENTS;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("rows", m.randomNormal(new Shape(chunk / 1000 * 2 + 7, 1000)));
            tensors.put("wide", m.randomNormal(new Shape(3, chunk + 5)));
            tensors.put("vector", m.randomNormal(new Shape(chunk * 2 + 3)));
            tensors.put("half", m.randomNormal(new Shape(chunk / 512 + 3, 512)).toType(ai.djl.ndarray.types.DataType.FLOAT16, false));
            Path f = dir.resolve("large.safetensors");
            Safetensors.write(f, tensors, Map.of());
            Map<String, TensorInfo> header = Safetensors.readHeader(f);
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                NDArray back = Safetensors.load(m, f, header.get(e.getKey()));
                assertEquals(e.getValue().getShape(), back.getShape(), e.getKey());
                float[] want = e.getValue().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                assertArrayEquals(want, back.toFloatArray(), 0f, e.getKey());
            }
        }
    }

    @Test
    void halfPrecisionTypesAreWidenedExactly() throws IOException {
        // bf16 1.5 = 0x3FC0, -2 = 0xC000; f16 1.5 = 0x3E00, -2 = 0xC000, 65504 = 0x7BFF, 2^-24 = 0x0001.
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3FC0).putShort((short) 0xC000);
        data.putShort((short) 0x3E00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001);
        String header = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"y\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[4,12]}}";
        Path f = dir.resolve("half.safetensors");
        Files.write(f, file(header, data.array()));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, TensorInfo> h = Safetensors.readHeader(f);
            assertArrayEquals(new float[] {1.5f, -2f}, Safetensors.load(m, f, h.get("x")).toFloatArray(), 0f);
            assertArrayEquals(new float[] {1.5f, -2f, 65504f, (float) Math.pow(2, -24)},
                    Safetensors.load(m, f, h.get("y")).toFloatArray(), 0f);
        }
    }

    static String messageOf(String header, int dataBytes) throws IOException {
        Path f = Files.createTempFile("bad", ".safetensors");
        Files.write(f, file(header, new byte[dataBytes]));
        try {
            return assertThrows(SafetensorsException.class, () -> Safetensors.readHeader(f)).getMessage();
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void corruptHeadersFailNamingTheTensorAndTheProblem() throws IOException {
        assertTrue(messageOf("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8).contains("not valid JSON"));
        assertTrue(messageOf("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8).contains("past the end"));
        assertTrue(messageOf("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8).contains("needs 12 bytes"));
        assertTrue(messageOf("{\"w\":{\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8).contains("not supported"));
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertTrue(messageOf(overlap, 12).contains("overlap"));
        assertTrue(messageOf("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8).contains("non-negative"));
        assertTrue(messageOf("[1,2]", 0).contains("JSON object"));
        assertTrue(messageOf("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8).contains("data_offsets"));
    }

    @Test
    void badHeaderLengthAndTruncationAreNamed() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(assertThrows(SafetensorsException.class, () -> Safetensors.readHeader(f)).getMessage().contains("too short"));
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(f, b.array());
        assertTrue(assertThrows(SafetensorsException.class, () -> Safetensors.readHeader(f)).getMessage().contains("header length"));
    }

    @Test
    void fuzzedHeadersFailCleanlyOrParse() throws IOException {
        // Property: whatever bytes a header holds, the reader either returns tensors that lie
        // inside the data or throws SafetensorsException, never anything else.
        String valid = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[16,24]}}";
        byte[] base = file(valid, new byte[24]);
        Random rnd = new Random(1234);
        Path f = dir.resolve("fuzz.safetensors");
        for (int trial = 0; trial < 400; trial++) {
            byte[] mutated = base.clone();
            int edits = 1 + rnd.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int pos = rnd.nextInt(mutated.length);
                mutated[pos] = (byte) (trial % 3 == 0 ? rnd.nextInt(256) : "{}[]\":,0123456789-eE".charAt(rnd.nextInt(20)));
            }
            if (trial % 7 == 0) {
                mutated = java.util.Arrays.copyOf(mutated, rnd.nextInt(mutated.length));
            }
            Files.write(f, mutated);
            try {
                Map<String, TensorInfo> h = Safetensors.readHeader(f);
                long dataBytes = Files.size(f) - Safetensors.dataStart(f);
                for (TensorInfo t : h.values()) {
                    assertTrue(t.begin() >= 0 && t.end() <= dataBytes && t.begin() <= t.end(), t.toString());
                }
            } catch (SafetensorsException expected) {
                assertTrue(expected.getMessage().contains(f.toString()), "message names the file: " + expected.getMessage());
            }
        }
    }
}
