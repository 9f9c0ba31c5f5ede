package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.DecoderLM;

/**
 * The loader's copies through libtorch: every bf16 and fp16 bit pattern against the formats'
 * definitions, tensors cut into many windows at offsets that do not line up with them, and no
 * mapping of a checkpoint's files left in the process after a load.
 */
class TensorReaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String header, ByteBuffer data) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, SafetensorsTest.file(header, java.util.Arrays.copyOf(data.array(), data.position())));
        return f;
    }

    private static ByteBuffer everyPattern() {
        ByteBuffer data = ByteBuffer.allocate(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            data.putShort((short) i);
        }
        return data;
    }

    private static float[] read(Path f, String tensor, long windowBytes) {
        try (NDManager m = NDManager.newBaseManager(); TensorReader r = TensorReader.open(f, windowBytes)) {
            return r.read(m, Safetensors.readHeader(f).get(tensor), n -> {}).toFloatArray();
        }
    }

    @Test
    void everyBf16PatternBecomesTheFloatWithThoseHighBits() throws IOException {
        Path f = file("bf16.safetensors", "{\"w\":{\"dtype\":\"BF16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}",
                everyPattern());
        for (long window : new long[] {TensorReader.WINDOW_BYTES, 4 * 999}) {
            float[] v = read(f, "w", window);
            for (int i = 0; i < 65536; i++) {
                // bf16 is the high half of fp32 by definition: exact, NaN payloads and signed zeros included.
                assertEquals(i << 16, Float.floatToRawIntBits(v[i]), "pattern " + Integer.toHexString(i));
            }
        }
    }

    /** IEEE binary16 from its fields, independently of any bit manipulation. */
    private static double binary16(int bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 31;
        int mantissa = bits & 1023;
        if (exponent == 31) {
            return mantissa == 0 ? (sign == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24) : Math.scalb(1024.0 + mantissa, exponent - 25);
        return sign == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyFp16PatternBecomesItsValue() throws IOException {
        Path f = file("f16.safetensors", "{\"w\":{\"dtype\":\"F16\",\"shape\":[65536],\"data_offsets\":[0,131072]}}",
                everyPattern());
        float[] v = read(f, "w", 4 * 1001);
        for (int i = 0; i < 65536; i++) {
            double want = binary16(i);
            if (Double.isNaN(want)) {
                assertTrue(Float.isNaN(v[i]), "pattern " + Integer.toHexString(i));
            } else {
                assertEquals(Float.floatToIntBits((float) want), Float.floatToIntBits(v[i]), "pattern " + Integer.toHexString(i));
            }
        }
    }

    @Test
    void tensorsCutIntoManyWindowsLoadExactly() throws IOException {
        Random rnd = new Random(7);
        Map<String, float[]> values = new LinkedHashMap<>();
        List<Safetensors.Tensor> tensors = new java.util.ArrayList<>();
        // Sizes around the window (20 bytes: 5 fp32 or 10 half values) and a scalar.
        for (long[] shape : new long[][] {{1}, {5}, {10}, {3, 7}, {11, 9}, {}}) {
            String name = "t" + values.size();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] x = new float[(int) n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian() * 3;
            }
            values.put(name, x);
            tensors.add(new Safetensors.Tensor(name, shape, sink -> sink.accept(x, x.length)));
        }
        for (String dtype : new String[] {"F32", "BF16"}) {
            Path f = dir.resolve(dtype + ".safetensors");
            Safetensors.write(f, tensors, Map.of(), dtype);
            Map<String, TensorInfo> header = Safetensors.readHeader(f);
            try (NDManager m = NDManager.newBaseManager(); TensorReader r = TensorReader.open(f, 20)) {
                for (Map.Entry<String, float[]> e : values.entrySet()) {
                    float[] want = e.getValue().clone();
                    for (int i = 0; dtype.equals("BF16") && i < want.length; i++) {
                        want[i] = Safetensors.roundToBf16(want[i]);
                    }
                    long[] read = {0};
                    NDArray a = r.read(m, header.get(e.getKey()), n -> read[0] += n);
                    assertArrayEquals(header.get(e.getKey()).shape(), a.getShape().getShape());
                    assertArrayEquals(want, a.toFloatArray(), 0f, dtype + " " + e.getKey());
                    assertEquals(header.get(e.getKey()).end() - header.get(e.getKey()).begin(), read[0], "bytes reported");
                }
            }
        }
    }

    /** Lines of this process's memory map that name a file under {@code d}. */
    private static long mappingsUnder(Path d) throws IOException {
        String prefix = d.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(prefix)).count();
    }

    @Test
    void noMappingOfTheCheckpointOutlivesALoad() throws IOException {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path source = dir.resolve("source");
        Path sharded = dir.resolve("sharded");
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = TinyModels.create(source, TinyModels.config("llama", 2, 32, 2, 1, 64, 64), 3, m);
            HfCheckpoint.save(model, sharded, source, SaveOptions.AUTO.withDtype("bfloat16").withShards(20_000));
        }
        assertTrue(Files.exists(sharded.resolve(HfCheckpoint.INDEX)), "the checkpoint is sharded");
        for (int load = 0; load < 5; load++) {
            try (NDManager m = NDManager.newBaseManager()) {
                HfCheckpoint.load(sharded, m);
                assertEquals(0, mappingsUnder(sharded), "load " + load + " left mappings of the shards");
            }
        }
    }
}
