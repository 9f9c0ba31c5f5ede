package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.DecoderLM;

/**
 * Saved directories of every family read by an independent reader:
 * {@code trainer/src/test/python/check_saved.py} (the safetensors headers and the shard index
 * parsed by hand, torch's own bf16 rounding, the PyTorch reference's logits against our loader's).
 * Needs Debian's python3-torch; runs with {@code -Plarge}.
 */
@Tag("large")
class SavedCheckpointReferenceTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    @Test
    void pythonReadsEveryFamilysSavedDirectoryAsHfWouldAndAgreesOnTheLogits() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        Path root = tmp.resolve("saved");
        try (NDManager m = NDManager.newBaseManager()) {
            for (String name : SavedCheckpointTest.cases().toList()) {
                Path src = SavedCheckpointTest.releaseLike(name, tmp);
                DecoderLM model = HfCheckpoint.load(src, m);
                write(model, root.resolve(name + "-fp32"), src, SaveOptions.AUTO.withDtype("float32"), m);
                write(model, root.resolve(name + "-bf16"), src, SaveOptions.AUTO, m);
                write(model, root.resolve(name + "-sharded"), src, SaveOptions.AUTO.withShards(4000), m);
            }
        }
        Process p = new ProcessBuilder(PYTHON.toString(), Path.of("src/test/python/check_saved.py").toString(), root.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assumeTrue(!out.contains("No module named 'torch'"), "python3-torch is not installed");
        System.out.print(out);
        assertEquals(0, rc, out);
    }

    /** Saves, reloads through our loader and writes its logits beside the directory for the reader. */
    private static void write(DecoderLM model, Path dir, Path src, SaveOptions options, NDManager m) throws IOException {
        HfCheckpoint.save(model, dir, src, options);
        float[] logits = SavedCheckpointTest.logits(HfCheckpoint.load(dir, m), m);
        long[] ids = SavedCheckpointTest.IDS[0];
        Files.writeString(dir.resolve("inputs.json"), "{\"ids\": [" + join(ids) + "], \"mask\": [" + join(new long[ids.length], 1) + "]}");
        ByteBuffer b = ByteBuffer.allocate(logits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(logits);
        Files.write(dir.resolve("expected-logits.bin"), b.array());
    }

    private static String join(long[] xs) {
        return join(xs, -1);
    }

    /** {@code [x, ...]}, or every entry {@code fill} when it is not -1. */
    private static String join(long[] xs, long fill) {
        List<String> parts = java.util.Arrays.stream(xs).mapToObj(x -> String.valueOf(fill == -1 ? x : fill)).toList();
        return "[" + String.join(", ", parts) + "]";
    }
}
