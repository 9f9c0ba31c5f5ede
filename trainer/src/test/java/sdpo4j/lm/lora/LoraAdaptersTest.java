package sdpo4j.lm.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.KvCache;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.weights.TinyModels;

/** LoRA's arithmetic on a real decoder: identity at init, gradients, merging, PEFT files, refusals. */
class LoraAdaptersTest {
    static NDManager m;
    static final long[][] IDS = {{5, 9, 2, 31, 7, 7}, {14, 1, 38, 20, 6, 3}};

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    static ModelConfig config(String family) {
        return TinyModels.config(family, 2, 16, 2, family.equals("gpt2") ? 2 : 1, 24, 32);
    }

    /** Weights large enough that every projection matters, in {@code type}. */
    static DecoderLM model(ModelConfig cfg, DataType type, long seed) {
        Random rnd = new Random(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : DecoderLM.expectedShapes(cfg).entrySet()) {
            boolean norm = e.getKey().contains("ln_") || e.getKey().contains("layernorm") || e.getKey().endsWith("norm.weight");
            double[] x = new double[(int) e.getValue().size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = norm && e.getKey().endsWith("weight") ? 1 + 0.1 * rnd.nextGaussian() : 0.3 * rnd.nextGaussian();
            }
            params.put(e.getKey(), m.create(x, e.getValue()).toType(type, false));
        }
        return new DecoderLM(cfg, params);
    }

    static NDArray logits(DecoderLM model, NDManager mm) {
        NDArray ids = mm.create(IDS[0]).stack(mm.create(IDS[1]));
        NDArray positions = mm.arange(0L, (long) IDS[0].length).expandDims(0).repeat(0, 2);
        return model.forward(ids, positions, mm.ones(new Shape(2, IDS[0].length), DataType.INT64), null);
    }

    /** Adapters with B random too (a trained state), so that they change the model. */
    static LoraAdapters trained(DecoderLM base, LoraConfig cfg, long seed) {
        LoraAdapters a = LoraAdapters.initialise(base, cfg, m, seed);
        Random rnd = new Random(seed + 1);
        for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
            if (e.getKey().endsWith("lora_B.weight")) {
                float[] b = new float[(int) e.getValue().getShape().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (0.3 * rnd.nextGaussian());
                }
                e.getValue().set(b);
            }
        }
        return a;
    }

    static LoraConfig all(int rank) {
        return LoraConfig.builder().rank(rank).alpha(2 * rank).targets(List.of("q", "k", "v", "o", "gate", "up", "down")).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "gemma3"})
    void zeroInitialisedBLeavesTheModelUnchanged(String family) {
        DecoderLM base = model(config(family), DataType.FLOAT32, 1);
        LoraAdapters a = LoraAdapters.initialise(base, all(4), m, 7);
        assertTrue(a.parameters().values().stream().filter(p -> p.getShape().get(0) == 4)
                .allMatch(p -> p.abs().sum().getFloat() > 0), "A is random");
        try (NDManager mm = m.newSubManager()) {
            assertArrayEquals(logits(base, mm).toFloatArray(), logits(base.adapted(a), mm).toFloatArray(), 0f);
        }
    }

    @Test
    void initialisationIsPeftsKaimingUniform() {
        DecoderLM base = model(config("llama"), DataType.FLOAT32, 1);
        LoraAdapters a = LoraAdapters.initialise(base, all(8), m, 3);
        float[] q = a.parameters().get("model.layers.0.self_attn.q_proj.lora_A.weight").toFloatArray();
        float[] down = a.parameters().get("model.layers.0.mlp.down_proj.lora_A.weight").toFloatArray();
        // Bound 1/sqrt(fan_in): 16 in for q, 24 for down; uniform has variance bound^2 / 3.
        assertEquals(1 / Math.sqrt(16), max(q), 0.05);
        assertEquals(1 / Math.sqrt(24), max(down), 0.05);
        assertEquals(1.0 / (3 * 16), variance(q), 0.3 / (3 * 16));
        assertEquals(0f, a.parameters().get("model.layers.1.mlp.up_proj.lora_B.weight").abs().sum().getFloat());
    }

    private static double max(float[] x) {
        double out = 0;
        for (float v : x) {
            out = Math.max(out, Math.abs(v));
        }
        return out;
    }

    private static double variance(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v * v;
        }
        return s / x.length;
    }

    /**
     * The adapted output is {@code W x + (alpha/r) B A x}: d loss / d A and d loss / d B by autograd
     * against central differences (float32, h = 1e-2) at twelve entries.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lora_A", "lora_B"})
    void gradientsMatchFiniteDifferences(String which) {
        DecoderLM base = model(config("llama"), DataType.FLOAT32, 2);
        LoraAdapters a = trained(base, all(2), 5);
        DecoderLM adapted = base.adapted(a);
        NDArray probed = a.parameters().get("model.layers.1.self_attn.v_proj." + which + ".weight");
        NDArray weights = m.randomNormal(new Shape(2, IDS[0].length, base.config().vocabSize()));
        a.parameters().values().forEach(p -> p.setRequiresGradient(true));
        float[] analytic;
        try (NDManager mm = m.newSubManager(); sdpo4j.optim.Autograd.Recording rec = sdpo4j.optim.Autograd.record()) {
            rec.backward(logits(adapted, mm).mul(weights).sum());
            analytic = probed.getGradient().toFloatArray();
        }
        float[] x = probed.toFloatArray();
        double h = 1e-2;
        double scale = max(analytic);
        assertTrue(scale > 1e-3, "the probe has a gradient: " + scale);
        Random rnd = new Random(1);
        for (int k = 0; k < 12; k++) {
            int i = rnd.nextInt(x.length);
            float[] probe = x.clone();
            probe[i] = (float) (x[i] + h);
            double up = loss(adapted, probed, probe, weights);
            probe[i] = (float) (x[i] - h);
            double down = loss(adapted, probed, probe, weights);
            assertEquals((up - down) / (2 * h), analytic[i], 2e-3 * scale, which + " entry " + i);
        }
        probed.set(x);
    }

    private static double loss(DecoderLM model, NDArray probed, float[] values, NDArray weights) {
        probed.set(values);
        try (NDManager mm = m.newSubManager()) {
            return logits(model, mm).mul(weights).sum().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "gpt2", "phi3"})
    void aMergedModelGivesTheAdaptedModelsLogits(String family) {
        DecoderLM base = model(config(family), DataType.FLOAT32, 3);
        List<String> targets = switch (family) {
            case "gpt2" -> List.of("o", "up", "down");
            case "phi3" -> List.of("o", "down");
            default -> all(3).targets();
        };
        LoraAdapters a = trained(base, LoraConfig.builder().rank(3).alpha(5).targets(targets).build(), 9);
        try (NDManager mm = m.newSubManager()) {
            float[] adapted = logits(base.adapted(a), mm).toFloatArray();
            float[] merged = logits(a.merge(base, mm), mm).toFloatArray();
            float[] plain = logits(base, mm).toFloatArray();
            assertArrayEquals(adapted, merged, 1e-4f);
            double moved = 0;
            for (int i = 0; i < plain.length; i++) {
                moved = Math.max(moved, Math.abs(plain[i] - adapted[i]));
            }
            assertTrue(moved > 0.1, "the adapters change the logits: " + moved);
        }
    }

    /** Decoding folds q/k/v into one cached weight (Block.fusedQkv): the adapters must be in it too. */
    @Test
    void cachedDecodingReadsTheAdapters() {
        DecoderLM base = model(config("llama"), DataType.FLOAT32, 4);
        LoraAdapters a = trained(base, all(2), 11);
        try (NDManager mm = m.newSubManager()) {
            float[] adapted = stepLogits(base.adapted(a), mm);
            float[] merged = stepLogits(a.merge(base, mm), mm);
            assertArrayEquals(merged, adapted, 1e-4f);
        }
    }

    /** A prefill of five tokens, then the logits of one decoding step. */
    private static float[] stepLogits(DecoderLM model, NDManager mm) {
        try (KvCache cache = new KvCache(model.config().numLayers())) {
            NDArray ids = mm.create(new long[][] {{5, 9, 2, 31, 7}});
            model.forward(ids, mm.arange(0L, 5L).expandDims(0), mm.ones(new Shape(1, 5), DataType.INT64), cache);
            return model.decodeStep(mm.create(new long[][] {{12}}), new long[] {5}, null, cache).toFloatArray();
        }
    }

    @Test
    void peftFilesRoundTrip() throws Exception {
        DecoderLM base = model(config("llama"), DataType.FLOAT32, 5);
        LoraAdapters a = trained(base, LoraConfig.builder().rank(4).alpha(8).dropout(0.05).targets(List.of("q", "v", "down")).build(), 2);
        Path dir = tmp.resolve("adapter");
        PeftAdapters.save(a, dir, "models/base");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve(PeftAdapters.CONFIG).toFile());
        assertEquals("LORA", json.get("peft_type").asText());
        assertEquals("CAUSAL_LM", json.get("task_type").asText());
        assertEquals(4, json.get("r").asInt());
        assertEquals(8.0, json.get("lora_alpha").asDouble());
        assertEquals("models/base", json.get("base_model_name_or_path").asText());
        assertEquals("[\"q_proj\",\"v_proj\",\"down_proj\"]", json.get("target_modules").toString());
        var header = sdpo4j.lm.weights.Safetensors.readHeader(dir.resolve(PeftAdapters.WEIGHTS));
        assertArrayEquals(new long[] {4, 16}, header.get("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight").shape());
        assertArrayEquals(new long[] {16, 4}, header.get("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight").shape());
        assertEquals(2 * 3 * 2, header.size());
        LoraAdapters back = PeftAdapters.load(base, dir, m);
        assertEquals(a.parameters().keySet(), back.parameters().keySet());
        for (String k : a.parameters().keySet()) {
            assertArrayEquals(a.parameters().get(k).toFloatArray(), back.parameters().get(k).toFloatArray(), 0f, k);
        }
        assertEquals(List.of("q", "v", "down"), back.targets());
        assertEquals(0.05, back.dropout(), 1e-12);
        try (NDManager mm = m.newSubManager()) {
            assertArrayEquals(logits(base.adapted(a), mm).toFloatArray(), logits(base.adapted(back), mm).toFloatArray(), 0f);
        }
    }

    @Test
    void unsupportedPeftSettingsAreRefusedByName() throws Exception {
        DecoderLM base = model(config("llama"), DataType.FLOAT32, 5);
        Path dir = tmp.resolve("adapter");
        PeftAdapters.save(trained(base, all(2), 1), dir, "b");
        Path cfg = dir.resolve(PeftAdapters.CONFIG);
        String original = Files.readString(cfg);
        for (String[] bad : new String[][] {{"\"use_dora\" : false", "\"use_dora\" : true", "use_dora"},
                {"\"use_rslora\" : false", "\"use_rslora\" : true", "use_rslora"}, {"\"r\" : 2", "\"r\" : 3", "has shape"},
                {"\"q_proj\"", "\"qkv_proj\"", "qkv_proj"}, {"\"peft_type\" : \"LORA\"", "\"peft_type\" : \"IA3\"", "IA3"}}) {
            assertTrue(original.contains(bad[0]), bad[0] + " in " + original);
            Files.writeString(cfg, original.replace(bad[0], bad[1]));
            ModelException e = assertThrows(ModelException.class, () -> PeftAdapters.load(base, dir, m));
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
        Files.writeString(cfg, original);
        // Adapters of another base: a wider model has other shapes.
        DecoderLM wider = model(TinyModels.config("llama", 2, 32, 2, 1, 24, 32), DataType.FLOAT32, 5);
        ModelException e = assertThrows(ModelException.class, () -> PeftAdapters.load(wider, dir, m));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());
    }

    @Test
    void fusedProjectionsAreRefusedWithTheModulesThereAre() {
        ConfigException e = assertThrows(ConfigException.class, () -> LoraTargets.stems(config("phi3"), List.of("q", "o")));
        assertTrue(e.getMessage().contains("qkv_proj") && e.getMessage().contains("[o, down]"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LoraTargets.stems(config("gpt2"), List.of("gate")));
        assertTrue(e.getMessage().contains("[o, up, down]"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> LoraConfig.builder().rank(2).targets(List.of("q_proj")).build());
        assertTrue(e.getMessage().contains("q_proj"), e.getMessage());
    }
}
