package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.InitialWeights;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.text.ByteLevelTokenizer;

/**
 * The release shapes: every config resource reads into the published model (its parameter count),
 * the streamed random weights are each tensor's own seeded stream whatever the file layout, a directory is reused only when
 * shape, seed, layout and tokenizer are the same, and bad input fails in one line.
 */
class ReleaseShapesTest {
    @TempDir
    Path tmp;

    static Path staged(String shape, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "generation_config.json"}) {
            try (InputStream in = ReleaseShapes.class.getResourceAsStream("/sdpo4j/shapes/" + shape + "/" + f)) {
                Files.write(dir.resolve(f), in.readAllBytes());
            }
        }
        return dir;
    }

    /** The parameter counts the releases publish (model cards, or the sum of their safetensors shapes). */
    @ParameterizedTest
    @CsvSource({"smollm2-135m, 134515008, 0", "smollm2-135m-instruct, 134515008, 1", "qwen2.5-0.5b-instruct, 494032768, 151643",
            "qwen2.5-1.5b-instruct, 1543714304, 151643", "qwen3-0.6b, 596049920, 151643", "gemma-3-1b-it, 999885952, 2"})
    void everyShapeReadsAsItsReleaseWithThePublishedParameterCount(String shape, long parameters, int bos) throws IOException {
        ModelConfig c = ModelConfig.read(staged(shape, tmp.resolve(shape)));
        assertEquals(parameters, DecoderLM.expectedShapes(c).values().stream().mapToLong(ai.djl.ndarray.types.Shape::size).sum());
        assertEquals(bos, c.bosTokenId()); // SmolLM2's BOS and EOS are id 0, which was refused before
    }

    @Test
    void shapesNamedInTheCommandAreExactlyTheResources() {
        for (ReleaseShapes.Shape s : ReleaseShapes.SHAPES) {
            assertTrue(ReleaseShapes.class.getResource("/sdpo4j/shapes/" + s.name() + "/config.json") != null, s.name());
        }
        ModelException e = assertThrows(ModelException.class, () -> ReleaseShapes.shape("qwen3-7b"));
        assertEquals("unknown shape 'qwen3-7b'; known: smollm2-135m, smollm2-135m-instruct, qwen2.5-0.5b-instruct, "
                + "qwen2.5-1.5b-instruct, qwen3-0.6b, gemma-3-1b-it", e.getMessage());
    }

    /** A tiny model staged like a release: our config, a generation config and the byte-level tokenizer. */
    private Path tinySource(String family) throws IOException {
        Path src = tmp.resolve("src-" + family);
        ByteLevelTokenizer.write(src);
        ModelConfig cfg = sdpo4j.lm.weights.TinyModels.config(family, 2, 32, 4, 2, 64, 64);
        Files.writeString(src.resolve("config.json"), SavedConfig.of(cfg, null).text("bfloat16"));
        Files.writeString(src.resolve("generation_config.json"), "{\n  \"eos_token_id\": 256\n}\n");
        return src;
    }

    /**
     * The streamed weights are each tensor's own stream, whatever order the files take the tensors
     * in (a tensor over the shard size jumps ahead of the open shard, as in huggingface_hub): one
     * file and 3000-byte shards hold the same values, those of an in-memory model drawn the same
     * way and rounded to bf16, with norms at 1 (Gemma: 0) and biases at 0.
     */
    @Test
    void streamedWeightsAreEachTensorsOwnStreamWhateverTheFileOrder() throws IOException {
        for (String family : new String[] {"llama", "gemma3", "qwen2"}) {
            Path src = tinySource(family);
            ModelConfig cfg = ModelConfig.read(src);
            Path sharded = ReleaseShapes.writeOrReuse("tiny", src, tmp.resolve("sharded-" + family), 7,
                    new SaveOptions("bfloat16", 3000)).dir();
            Path single = ReleaseShapes.writeOrReuse("tiny", src, tmp.resolve("single-" + family), 7,
                    new SaveOptions("bfloat16", 1L << 30)).dir();
            assertTrue(Files.isRegularFile(sharded.resolve("model.safetensors.index.json")), "sharded");
            assertTrue(Files.isRegularFile(single.resolve("model.safetensors")), "one file");
            InitialWeights init = new InitialWeights(cfg);
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, ai.djl.ndarray.NDArray> a = HfCheckpoint.load(sharded, m).parameters();
                Map<String, ai.djl.ndarray.NDArray> b = HfCheckpoint.load(single, m).parameters();
                for (Map.Entry<String, ai.djl.ndarray.types.Shape> e : DecoderLM.expectedShapes(cfg).entrySet()) {
                    float[] want = new float[(int) e.getValue().size()];
                    init.fill(e.getKey(), InitialWeights.stream(7, e.getKey()), want, want.length);
                    for (int i = 0; i < want.length; i++) {
                        want[i] = Safetensors.roundToBf16(want[i]);
                    }
                    assertArrayEquals(want, a.get(e.getKey()).toFloatArray(), family + " " + e.getKey());
                    assertArrayEquals(want, b.get(e.getKey()).toFloatArray(), family + " " + e.getKey());
                }
                String norm = "model.layers.0.input_layernorm.weight";
                assertEquals(family.equals("gemma3") ? 0f : 1f, a.get(norm).toFloatArray()[0], norm);
                if (family.equals("qwen2")) {
                    assertEquals(0f, a.get("model.layers.0.self_attn.q_proj.bias").abs().max().getFloat());
                }
                float[] q = a.get("model.layers.1.self_attn.q_proj.weight").toFloatArray();
                double sum = 0;
                for (float v : q) {
                    sum += v * v;
                }
                assertEquals(InitialWeights.STD, Math.sqrt(sum / q.length), 0.003, "std of a random weight");
            }
        }
    }

    @Test
    void aDirectoryIsReusedOnlyForTheSameShapeSeedLayoutAndTokenizer() throws IOException {
        Path src = tinySource("llama");
        Path out = tmp.resolve("out");
        SaveOptions bf16 = new SaveOptions("bfloat16", 1L << 30);
        assertFalse(ReleaseShapes.writeOrReuse("tiny", src, out, 1, bf16).reused());
        long written = Files.getLastModifiedTime(out.resolve("model.safetensors")).toMillis();
        byte[] first = Files.readAllBytes(out.resolve("model.safetensors"));
        assertTrue(ReleaseShapes.writeOrReuse("tiny", src, out, 1, bf16).reused());
        assertEquals(written, Files.getLastModifiedTime(out.resolve("model.safetensors")).toMillis());
        // another seed, another shard size, another tokenizer: written again
        assertFalse(ReleaseShapes.writeOrReuse("tiny", src, out, 2, bf16).reused());
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(out.resolve("model.safetensors"))));
        assertFalse(ReleaseShapes.writeOrReuse("tiny", src, out, 2, bf16.withShards(3000)).reused());
        Files.writeString(src.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|endoftext|>\"}");
        assertFalse(ReleaseShapes.writeOrReuse("tiny", src, out, 2, bf16.withShards(3000)).reused());
        assertTrue(ReleaseShapes.writeOrReuse("tiny", src, out, 2, bf16.withShards(3000)).reused());
        try (var names = Files.list(tmp)) {
            assertEquals(0, names.filter(p -> p.getFileName().toString().endsWith(".partial")).count());
        }
    }

    @Test
    void aDirectoryMakeShapeDidNotWriteIsNeverReplaced() throws IOException {
        Path src = tinySource("llama");
        Path out = tmp.resolve("mine");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "keep");
        ModelException e = assertThrows(ModelException.class,
                () -> ReleaseShapes.writeOrReuse("tiny", src, out, 1, SaveOptions.AUTO));
        assertTrue(e.getMessage().contains("exists and was not made by make-shape"), e.getMessage());
        assertEquals("keep", Files.readString(out.resolve("notes.txt")));
    }

    @Test
    void aTokenizerDirectoryWithoutTokenizerJsonFailsInOneLine() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        ModelException e = assertThrows(ModelException.class,
                () -> ReleaseShapes.make("smollm2-135m", tmp.resolve("x"), empty, 0, SaveOptions.AUTO));
        assertTrue(e.getMessage().startsWith(empty + ": no tokenizer.json"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")));
        assertFalse(Files.exists(tmp.resolve(".x.source")));
    }
}
