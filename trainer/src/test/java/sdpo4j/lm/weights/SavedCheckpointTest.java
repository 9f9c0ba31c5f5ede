package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.model.DecoderLM;

/**
 * A fine-tuned model saved as HF's {@code save_pretrained} saves it, for every family (the
 * golden tiny models, given a release's config.json): the source config unchanged but for its
 * dtype, the tokenizer and generation files copied, bf16 or fp32 weights, shards with HF's index
 * above the size limit, the tied head not written; and it reloads with identical logits.
 */
class SavedCheckpointTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final long[][] IDS = {{5, 9, 2, 31, 7, 7, 12, 3}};
    static NDManager manager;

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

    static Stream<String> cases() {
        return Stream.of("gpt2", "llama-gqa", "qwen2-bias", "qwen3", "mistral-window", "gemma3", "olmo2", "phi3-window");
    }

    /**
     * A release-like source directory: the golden model's weights, its config.json written as HF
     * writes a release's (other key order and spacing, fields we do not read, bfloat16), and
     * tokenizer-side files.
     */
    static Path releaseLike(String name, Path tmp) throws IOException {
        Path src = tmp.resolve("src-" + name);
        Files.createDirectories(src);
        Files.copy(GOLDEN.resolve(name).resolve("model.safetensors"), src.resolve("model.safetensors"));
        JsonNode cfg = new ObjectMapper().readTree(GOLDEN.resolve(name).resolve("config.json").toFile());
        Map<String, JsonNode> sorted = new TreeMap<>();
        cfg.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.put("torch_dtype", new ObjectMapper().getNodeFactory().textNode("bfloat16"));
        sorted.put("transformers_version", new ObjectMapper().getNodeFactory().textNode("4.51.0"));
        sorted.put("initializer_range", new ObjectMapper().getNodeFactory().numberNode(0.02));
        StringBuilder text = new StringBuilder("{\n");
        List<String> lines = new ArrayList<>();
        sorted.forEach((k, v) -> lines.add("  \"" + k + "\": " + v));
        text.append(String.join(",\n", lines)).append("\n}\n");
        Files.writeString(src.resolve("config.json"), text.toString());
        Files.writeString(src.resolve("generation_config.json"), "{\n  \"eos_token_id\": [1, 2],\n  \"temperature\": 0.6\n}\n");
        Files.writeString(src.resolve("chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");
        Files.writeString(src.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        return src;
    }

    static float[] logits(DecoderLM model, NDManager m) {
        NDArray ids = m.create(IDS[0]).reshape(1, IDS[0].length);
        NDArray mask = m.ones(ids.getShape(), ai.djl.ndarray.types.DataType.INT64);
        NDArray positions = m.arange(0L, (long) IDS[0].length).reshape(1, IDS[0].length);
        return model.forward(ids, positions, mask, null).toFloatArray();
    }

    /** The model with every weight rounded to bf16: what a bf16 checkpoint of it holds. */
    static DecoderLM roundedToBf16(DecoderLM model, NDManager m) {
        Map<String, NDArray> rounded = new LinkedHashMap<>();
        model.parameters().forEach((k, v) -> {
            float[] x = v.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                x[i] = Safetensors.roundToBf16(x[i]);
            }
            rounded.put(k, m.create(x, v.getShape()));
        });
        return new DecoderLM(model.config(), rounded);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void fp32SaveKeepsTheReleaseConfigButItsDtypeAndReloadsWithIdenticalLogits(String name) throws IOException {
        Path src = releaseLike(name, tmp);
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(src, m);
            Path out = tmp.resolve("fp32");
            HfCheckpoint.save(model, out, src, SaveOptions.AUTO.withDtype("float32"));
            String source = Files.readString(src.resolve("config.json"));
            assertEquals(source.replace("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"float32\""),
                    Files.readString(out.resolve("config.json")));
            for (String f : List.of("generation_config.json", "chat_template.jinja", "tokenizer_config.json")) {
                assertEquals(Files.readString(src.resolve(f)), Files.readString(out.resolve(f)), f);
            }
            assertTrue(Safetensors.readHeader(out.resolve("model.safetensors")).values().stream()
                    .allMatch(t -> t.dtype().equals("F32")));
            assertEquals(Arrays.toString(logits(model, m)), Arrays.toString(logits(HfCheckpoint.load(out, m), m)), name);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void bf16SourceIsSavedInBf16RoundedAsTorchAndReloadsWithTheRoundedModelsLogits(String name) throws IOException {
        Path src = releaseLike(name, tmp);
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(src, m);
            Path out = tmp.resolve("bf16");
            HfCheckpoint.save(model, out, src); // auto: the source says bfloat16
            assertEquals(Files.readString(src.resolve("config.json")), Files.readString(out.resolve("config.json")));
            Map<String, TensorInfo> header = Safetensors.readHeader(out.resolve("model.safetensors"));
            assertEquals(model.parameters().keySet(), header.keySet(), "every weight once, the tied head not at all");
            assertTrue(header.values().stream().allMatch(t -> t.dtype().equals("BF16")));
            DecoderLM back = HfCheckpoint.load(out, m);
            assertEquals(Arrays.toString(logits(roundedToBf16(model, m), m)), Arrays.toString(logits(back, m)), name);
            // A second save of the reloaded model writes the same bytes: bf16 -> fp32 -> bf16 is exact.
            Path again = tmp.resolve("again");
            HfCheckpoint.save(back, again, out);
            assertTrue(Arrays.equals(Files.readAllBytes(out.resolve("model.safetensors")),
                    Files.readAllBytes(again.resolve("model.safetensors"))));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aSmallShardLimitWritesShardsAndHfsIndexAndReloadsWithIdenticalLogits(String name) throws IOException {
        Path src = releaseLike(name, tmp);
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(src, m);
            Path out = tmp.resolve("sharded");
            long limit = 4000;
            HfCheckpoint.save(model, out, src, SaveOptions.AUTO.withShards(limit));
            assertFalse(Files.exists(out.resolve("model.safetensors")));
            JsonNode index = new ObjectMapper().readTree(out.resolve("model.safetensors.index.json").toFile());
            JsonNode map = index.get("weight_map");
            List<String> files;
            try (Stream<Path> s = Files.list(out)) {
                files = s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("model-")).sorted().toList();
            }
            int n = files.size();
            assertTrue(n > 1, name + ": " + files);
            long total = 0;
            Map<String, String> seen = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String file = String.format("model-%05d-of-%05d.safetensors", i + 1, n);
                assertEquals(file, files.get(i));
                long shardBytes = 0;
                for (TensorInfo t : Safetensors.readHeader(out.resolve(file)).values()) {
                    assertEquals(file, map.get(t.name()).asText(), t.name());
                    seen.put(t.name(), file);
                    shardBytes += t.end() - t.begin();
                }
                int tensors = Safetensors.readHeader(out.resolve(file)).size();
                assertTrue(shardBytes <= limit || tensors == 1, file + " holds " + shardBytes + " bytes in " + tensors + " tensors");
                total += shardBytes;
            }
            assertEquals(model.parameters().keySet(), seen.keySet());
            assertEquals(seen.size(), map.size());
            assertEquals(total, index.get("metadata").get("total_size").asLong());
            assertEquals(Arrays.toString(logits(roundedToBf16(model, m), m)),
                    Arrays.toString(logits(HfCheckpoint.load(out, m), m)), name);
            // Saved again without the limit: one file, and no stale shard or index left behind.
            HfCheckpoint.save(model, out, src);
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of("model.safetensors"), s.map(p -> p.getFileName().toString())
                        .filter(f -> f.startsWith("model")).toList());
            }
        }
    }

    @Test
    void shardsAreCutAsHuggingFaceCutsThem() {
        List<Safetensors.Tensor> ts = new ArrayList<>();
        for (long elements : new long[] {10, 10, 25, 3, 8, 1}) {
            ts.add(new Safetensors.Tensor("t" + ts.size(), new long[] {elements}, sink -> { }));
        }
        // Limit 20 bytes: t2 (25) is larger than the limit and goes to a shard of its own at once, ahead of the
        // open shard [t0 t1], which closes when t3 would take it over (huggingface_hub's split_state_dict_into_shards).
        List<List<String>> shards = Shards.plan(ts, 1, 20).stream().map(s -> s.stream().map(Safetensors.Tensor::name).toList()).toList();
        assertEquals(List.of(List.of("t2"), List.of("t0", "t1"), List.of("t3", "t4", "t5")), shards);
    }

    @Test
    void theIndexIsTheTextPythonsJsonDumpsWrites() {
        Map<String, String> map = new TreeMap<>(Map.of("model.norm.weight", "model-00002-of-00002.safetensors",
                "lm_head.weight", "model-00002-of-00002.safetensors", "model.embed_tokens.weight", "model-00001-of-00002.safetensors"));
        // json.dumps({"metadata": {"total_size": 1234}, "weight_map": {...}}, indent=2, sort_keys=True) + "\n"
        String python = "{\n  \"metadata\": {\n    \"total_size\": 1234\n  },\n  \"weight_map\": {\n"
                + "    \"lm_head.weight\": \"model-00002-of-00002.safetensors\",\n"
                + "    \"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\",\n"
                + "    \"model.norm.weight\": \"model-00002-of-00002.safetensors\"\n  }\n}\n";
        assertEquals(python, Shards.index(1234, map));
    }

    @Test
    void bf16RoundsToNearestEvenAsTorch() {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: even (1) wins; 1 + 3 * 2^-8 rounds up to 1 + 2^-6.
        assertEquals(1f, Safetensors.roundToBf16(1f + 0x1p-8f));
        assertEquals(1f + 0x1p-6f, Safetensors.roundToBf16(1f + 3 * 0x1p-8f));
        assertEquals(1f + 0x1p-7f, Safetensors.roundToBf16(1f + 0x1p-8f + 0x1p-20f));
        assertTrue(Float.isNaN(Safetensors.roundToBf16(Float.NaN)));
    }

    @Test
    void sizesAreReadAsSavePretrainedReadsThem() {
        assertEquals(5_000_000_000L, SaveOptions.parseSize("max-shard-size", "5GB"));
        assertEquals(5L << 30, SaveOptions.parseSize("max-shard-size", "5GiB"));
        assertEquals(500_000_000L, SaveOptions.parseSize("max-shard-size", "500MB"));
        assertEquals(4000L, SaveOptions.parseSize("max-shard-size", "4000"));
        String msg = assertThrows(ConfigException.class, () -> SaveOptions.parseSize("max-shard-size", "5 gigs")).getMessage();
        assertTrue(msg.contains("max-shard-size") && msg.contains("5 gigs") && msg.contains("5GB"), msg);
        assertThrows(ConfigException.class, () -> new SaveOptions("float16", 1));
    }

    @Test
    void aConfigThatDoesNotDescribeTheModelIsNotCopied() throws IOException {
        Path src = releaseLike("qwen3", tmp);
        Path other = releaseLike("olmo2", tmp);
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(src, m);
            Path out = tmp.resolve("out");
            HfCheckpoint.save(model, out, other);
            assertEquals(model.config().toJson(), Files.readString(out.resolve("config.json")));
            assertEquals(model.config(), HfCheckpoint.load(out, m).config());
        }
    }
}
