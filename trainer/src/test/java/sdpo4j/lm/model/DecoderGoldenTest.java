package sdpo4j.lm.model;

import sdpo4j.lm.weights.HalfPrecisionFiles;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.Safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our decoders against the independent PyTorch eager reference
 * ({@code trainer/src/test/python/lm_reference.py}): same safetensors, same padded inputs,
 * logits equal to 1e-4 at every real position.
 */
class DecoderGoldenTest {
    static NDManager manager;
    static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static NDArray ids(NDManager m) {
        return m.create(GoldenModels.IDS[0]).stack(m.create(GoldenModels.IDS[1]));
    }

    static NDArray mask(NDManager m) {
        return m.create(GoldenModels.MASK[0]).stack(m.create(GoldenModels.MASK[1]));
    }

    /** HuggingFace's positions under left padding: cumsum(mask) - 1, clamped at 0. */
    static NDArray positions(NDArray mask) {
        return mask.cumSum(1).sub(1).maximum(0);
    }

    static float[] golden(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(GOLDEN.resolve(name).resolve("logits.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[b.remaining() / 4];
        b.asFloatBuffer().get(x);
        return x;
    }

    static void assertClose(float[] want, float[] got, long[][] mask, int vocab, double tol, String what) {
        assertEquals(want.length, got.length, what + ": size");
        int l = mask[0].length;
        for (int b = 0; b < mask.length; b++) {
            for (int t = 0; t < l; t++) {
                if (mask[b][t] == 0) {
                    continue;
                }
                for (int v = 0; v < vocab; v++) {
                    int i = (b * l + t) * vocab + v;
                    assertEquals(want[i], got[i], tol, what + " at batch " + b + " position " + t + " token " + v);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "llama-attn-bias", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void logitsMatchThePyTorchReference(String name) throws IOException {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve(name), m);
            NDArray mask = mask(m);
            float[] logits = model.forward(ids(m), positions(mask), mask, null).toFloatArray();
            float[] want = golden(name);
            double scale = 0;
            for (float w : want) {
                scale = Math.max(scale, Math.abs(w));
            }
            assertTrue(scale > 1, "golden logits too small to test anything: " + scale);
            assertClose(want, logits, GoldenModels.MASK, model.config().vocabSize(), 1e-4, name);
        }
    }

    /**
     * LoRA as PEFT defines it: the reference folds the adapter files into the weights ({@code W + (alpha / r) B A});
     * we apply them on the fly (training's path) and merged (the merge command's path). Both match its logits.
     */
    @Test
    void loraAdaptersMatchThePyTorchReference() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            Path dir = GOLDEN.resolve(GoldenModels.LORA);
            DecoderLM base = HfCheckpoint.load(dir, m);
            sdpo4j.lm.lora.LoraAdapters a = sdpo4j.lm.lora.PeftAdapters.load(base, dir.resolve("adapter"), m);
            NDArray mask = mask(m);
            float[] want = golden(GoldenModels.LORA);
            int vocab = base.config().vocabSize();
            assertClose(want, base.adapted(a).forward(ids(m), positions(mask), mask, null).toFloatArray(),
                    GoldenModels.MASK, vocab, 1e-4, "adapted");
            assertClose(want, a.merge(base, m).forward(ids(m), positions(mask), mask, null).toFloatArray(),
                    GoldenModels.MASK, vocab, 1e-4, "merged");
            // The adapters matter: the base model's logits are far from the golden.
            float[] plain = base.forward(ids(m), positions(mask), mask, null).toFloatArray();
            double moved = 0;
            for (int i = 0; i < plain.length; i++) {
                moved = Math.max(moved, Math.abs(plain[i] - want[i]));
            }
            assertTrue(moved > 0.5, "the adapters change the logits: " + moved);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "llama-attn-bias", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void kvCacheDecodingEqualsFullRecomputation(String name) {
        // No capacity given: the cache's buffers start at the prefill and grow step by step.
        decodeStepwise(name, KvCache::new, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "qwen2-bias", "qwen3", "mistral-window", "gemma3", "phi3-window"})
    void kvCacheWithCapacityAndWhileRecordingEqualsFullRecomputation(String name) {
        decodeStepwise(name, layers -> new KvCache(layers, 8), false); // preallocated, written in place
        decodeStepwise(name, layers -> new KvCache(layers, 8), true); // recording: concatenated instead
    }

    /** Prefill 5 tokens, then one token at a time; the logits must equal one full pass. */
    private void decodeStepwise(String name, java.util.function.IntFunction<KvCache> newCache, boolean recording) {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve(name), m);
            NDArray ids = ids(m);
            NDArray mask = mask(m);
            NDArray full = model.forward(ids, positions(mask), mask, null);
            try (KvCache cache = newCache.apply(model.config().numLayers()); sdpo4j.optim.Autograd.Recording rec = recording ? sdpo4j.optim.Autograd.record() : null) {
                NDArray out = model.forward(ids.get(":, :5"), positions(mask).get(":, :5"), mask.get(":, :5"), cache);
                for (int t = 5; t < 8; t++) {
                    NDArray step = model.forward(ids.get(":, " + t + ":" + (t + 1)), positions(mask).get(":, " + t + ":" + (t + 1)),
                            mask.get(":, :" + (t + 1)), cache);
                    out = out.concat(step, 1);
                }
                assertEquals(8, cache.length());
                assertClose(full.toFloatArray(), out.toFloatArray(), GoldenModels.MASK, model.config().vocabSize(), 1e-4, name);
            }
        }
    }

    /** Training reaches every weight of the newer blocks (q/k norms, output norms, fused projections, soft-caps, windows). */
    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "mistral-window", "gemma3", "olmo2", "phi3-window"})
    void gradientsReachEveryParameter(String name) {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve(name), m);
            model.parameterList().forEach(p -> p.setRequiresGradient(true));
            NDArray mask = mask(m);
            try (sdpo4j.optim.Autograd.Recording rec = sdpo4j.optim.Autograd.record()) {
                NDArray logits = model.forward(ids(m), positions(mask), mask, null);
                rec.backward(logits.logSoftmax(-1).get(":, :, 3").mul(mask).sum());
            }
            for (var e : model.parameters().entrySet()) {
                assertTrue(e.getValue().getGradient().abs().sum().getFloat() > 0, name + ": no gradient reaches " + e.getKey());
            }
        }
    }

    @Test
    void saveThenLoadGivesIdenticalLogits() {
        try (NDManager m = manager.newSubManager()) {
            for (String name : GoldenModels.CASES) {
                DecoderLM model = HfCheckpoint.load(GOLDEN.resolve(name), m);
                Path dir = tmp.resolve(name);
                HfCheckpoint.save(model, dir, null);
                DecoderLM back = HfCheckpoint.load(dir, m);
                assertEquals(model.config(), back.config());
                NDArray mask = mask(m);
                float[] a = model.forward(ids(m), positions(mask), mask, null).toFloatArray();
                float[] b = back.forward(ids(m), positions(mask), mask, null).toFloatArray();
                assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), name);
            }
        }
    }

    @Test
    void brokenCheckpointsFailNamingTheTensorOrField() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve("llama-gqa"), m);
            Path dir = tmp.resolve("broken");
            HfCheckpoint.save(model, dir, null);
            // Config says more layers than the weights hold.
            String cfg = Files.readString(dir.resolve("config.json"));
            Files.writeString(dir.resolve("config.json"), cfg.replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3"));
            String missing = assertThrows(ModelException.class, () -> HfCheckpoint.load(dir, m)).getMessage();
            assertTrue(missing.contains("missing tensors") && missing.contains("model.layers.2."), missing);
            // A width that does not match the weights.
            Files.writeString(dir.resolve("config.json"), cfg.replace("\"intermediate_size\" : 48", "\"intermediate_size\" : 64"));
            String shape = assertThrows(ModelException.class, () -> HfCheckpoint.load(dir, m)).getMessage();
            assertTrue(shape.contains("has shape") && shape.contains("implies"), shape);
            // An architecture we do not implement.
            Files.writeString(dir.resolve("config.json"), cfg.replace("\"model_type\" : \"llama\"", "\"model_type\" : \"mamba\""));
            String arch = assertThrows(ModelException.class, () -> HfCheckpoint.load(dir, m)).getMessage();
            assertTrue(arch.contains("'mamba' is not supported; supported: gpt2, llama, qwen2"), arch);
            Files.delete(dir.resolve("model.safetensors"));
            Files.writeString(dir.resolve("config.json"), cfg);
            assertTrue(assertThrows(ModelException.class, () -> HfCheckpoint.load(dir, m)).getMessage().contains("no model.safetensors"));
        }
    }

    @Test
    void halfPrecisionCheckpointsLoadWithinTheirPrecision() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve("qwen2-bias"), m);
            for (String dtype : new String[] {"BF16", "F16"}) {
                Path dir = tmp.resolve(dtype);
                HfCheckpoint.save(model, dir, null);
                HalfPrecisionFiles.rewrite(dir.resolve("model.safetensors"), dtype);
                DecoderLM half = HfCheckpoint.load(dir, m);
                double tol = dtype.equals("BF16") ? 1.0 / 128 : 1.0 / 1024;
                for (String name : model.parameters().keySet()) {
                    float[] a = model.parameters().get(name).toFloatArray();
                    float[] b = half.parameters().get(name).toFloatArray();
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(a[i], b[i], tol * Math.max(1, Math.abs(a[i])), dtype + " " + name);
                    }
                }
                assertEquals(DataType.FLOAT32, half.parameters().values().iterator().next().getDataType());
            }
        }
    }

    @Test
    void shardedCheckpointsLoadThroughTheirIndex() throws IOException {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve("gpt2"), m);
            Path dir = tmp.resolve("sharded");
            Files.createDirectories(dir);
            Files.copy(GOLDEN.resolve("gpt2").resolve("config.json"), dir.resolve("config.json"));
            // Two shards, half the tensors each, and the index HF writes beside them.
            java.util.Map<String, NDArray> first = new java.util.LinkedHashMap<>();
            java.util.Map<String, NDArray> second = new java.util.LinkedHashMap<>();
            StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
            int i = 0;
            for (var e : model.parameters().entrySet()) {
                boolean one = i++ % 2 == 0;
                (one ? first : second).put(e.getKey(), e.getValue());
                index.append(i > 1 ? "," : "").append('"').append(e.getKey()).append("\": \"model-0000")
                        .append(one ? 1 : 2).append("-of-00002.safetensors\"");
            }
            Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, null);
            Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, null);
            Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
            DecoderLM back = HfCheckpoint.load(dir, m);
            NDArray mask = mask(m);
            assertEquals(java.util.Arrays.toString(model.forward(ids(m), positions(mask), mask, null).toFloatArray()),
                    java.util.Arrays.toString(back.forward(ids(m), positions(mask), mask, null).toFloatArray()));
            Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
            String msg = assertThrows(ModelException.class, () -> HfCheckpoint.load(dir, m)).getMessage();
            assertTrue(msg.contains("model-00002-of-00002.safetensors") && msg.contains("is missing"), msg);
        }
    }

    @Test
    void int32IdsAndPositionsWorkLikeInt64() {
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve("llama-gqa"), m);
            NDArray mask = mask(m);
            float[] a = model.forward(ids(m), positions(mask), mask, null).toFloatArray();
            float[] b = model.forward(ids(m).toType(DataType.INT32, false), positions(mask).toType(DataType.INT32, false),
                    mask.toType(DataType.INT32, false), null).toFloatArray();
            assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        }
    }

    @Test
    void shapesOfTheSmallConfigs() {
        assertEquals(new Shape(24, 72), DecoderLM.expectedShapes(GoldenModels.config("gpt2")).get("transformer.h.0.attn.c_attn.weight"));
        assertEquals(new Shape(16, 32), DecoderLM.expectedShapes(GoldenModels.config("llama-gqa")).get("model.layers.0.self_attn.k_proj.weight"));
    }
}
