package sdpo4j.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.lm.model.family.Families;

/**
 * The released models' {@code config.json} files (their published fields and values, in
 * {@code src/test/resources/configs}) read as HuggingFace reads them: widths, head dimension,
 * windows and layer kinds, and the tensors, with their shapes, that their checkpoints hold.
 */
class FamilyConfigsTest {
    static final Path CONFIGS = Path.of("src/test/resources/configs");

    @TempDir
    Path tmp;

    static ModelConfig read(String name) {
        return ModelConfig.read(CONFIGS.resolve(name));
    }

    @Test
    void qwen3SmallestReleaseHasItsOwnHeadDimensionAndPerHeadQkNorms() {
        ModelConfig c = read("qwen3-0.6b");
        assertEquals(Architecture.QWEN3, c.architecture());
        assertEquals(128, c.headDim()); // not 1024 / 16
        assertTrue(c.tieWordEmbeddings());
        assertFalse(c.sliding(0));
        Map<String, Shape> shapes = DecoderLM.expectedShapes(c);
        String p = "model.layers.27.";
        assertEquals(new Shape(2048, 1024), shapes.get(p + "self_attn.q_proj.weight"));
        assertEquals(new Shape(1024, 1024), shapes.get(p + "self_attn.k_proj.weight"));
        assertEquals(new Shape(1024, 2048), shapes.get(p + "self_attn.o_proj.weight"));
        assertEquals(new Shape(128), shapes.get(p + "self_attn.q_norm.weight"));
        assertEquals(new Shape(128), shapes.get(p + "self_attn.k_norm.weight"));
        assertNull(shapes.get("lm_head.weight"));
        assertEquals(28 * 11 + 2, shapes.size());
        assertEquals(DecoderSpec.QkNorm.PER_HEAD, Families.describe(c).qkNorm());
        assertFalse(Families.describe(c).foldsDecoding(), "q/k norms cannot be folded into the q/k/v weights");
    }

    @Test
    void gemma3OneBillionAlternatesFiveSlidingLayersWithOneGlobal() {
        ModelConfig c = read("gemma-3-1b");
        assertEquals(Architecture.GEMMA3, c.architecture());
        assertEquals(256, c.headDim());
        assertEquals(512, c.variant().slidingWindow());
        List<Integer> global = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            if (!c.sliding(i)) {
                global.add(i);
            }
        }
        assertEquals(List.of(5, 11, 17, 23), global);
        assertTrue(c.tieWordEmbeddings()); // Gemma's default: the file does not say
        assertEquals(List.of(1, 106), c.eosTokenIds());
        DecoderSpec spec = Families.describe(c);
        assertEquals(DecoderSpec.Norm.RMS_PLUS_ONE, spec.norm());
        assertTrue(spec.scaledEmbedding());
        assertEquals(1 / 16.0, spec.attention().scale(), 0); // query_pre_attn_scalar 256
        assertEquals(10000, ((DecoderSpec.Rotary) spec.positions(0)).theta());
        assertEquals(1e6, ((DecoderSpec.Rotary) spec.positions(5)).theta());
        assertEquals(0, spec.logitSoftcap());
        Map<String, Shape> shapes = DecoderLM.expectedShapes(c);
        String p = "model.layers.0.";
        for (String norm : List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                "post_feedforward_layernorm")) {
            assertEquals(new Shape(1152), shapes.get(p + norm + ".weight"), norm);
        }
        assertEquals(new Shape(256), shapes.get(p + "self_attn.q_norm.weight"));
        assertEquals(new Shape(1024, 1152), shapes.get(p + "self_attn.q_proj.weight"));
        assertEquals(new Shape(6912, 1152), shapes.get(p + "mlp.gate_proj.weight"));
        assertEquals(26 * 13 + 2, shapes.size());
    }

    @Test
    void mistralV03HasNoWindowAndFoldsItsCachedPasses() {
        ModelConfig c = read("mistral-7b-v0.3");
        assertEquals(Architecture.MISTRAL, c.architecture());
        assertEquals(0, c.variant().slidingWindow());
        assertEquals(128, c.headDim());
        assertTrue(Families.describe(c).foldsDecoding());
        assertEquals(32 * 9 + 3, DecoderLM.expectedShapes(c).size());
    }

    @Test
    void mistralWithoutTheWindowFieldTakesHuggingFacesDefault() throws IOException {
        ObjectNode o = (ObjectNode) new ObjectMapper().readTree(Files.readString(CONFIGS.resolve("mistral-7b-v0.3/config.json")));
        o.remove("sliding_window");
        Files.writeString(tmp.resolve("config.json"), o.toString());
        ModelConfig c = ModelConfig.read(tmp);
        assertEquals(4096, c.variant().slidingWindow());
        assertTrue(c.sliding(31));
    }

    @Test
    void olmo2NormsTheOutputsAndTheWholeQAndK() {
        ModelConfig c = read("olmo-2-1b");
        assertEquals(Architecture.OLMO2, c.architecture());
        Map<String, Shape> shapes = DecoderLM.expectedShapes(c);
        String p = "model.layers.15.";
        assertEquals(new Shape(2048), shapes.get(p + "self_attn.q_norm.weight"));
        assertEquals(new Shape(2048), shapes.get(p + "self_attn.k_norm.weight"));
        assertEquals(new Shape(2048), shapes.get(p + "post_feedforward_layernorm.weight"));
        assertNull(shapes.get(p + "input_layernorm.weight"));
        assertEquals(16 * 11 + 3, shapes.size());
    }

    @Test
    void phi3MiniHasFusedProjectionsAndAWindowOnEveryLayer() {
        ModelConfig c = read("phi-3-mini-4k");
        assertEquals(Architecture.PHI3, c.architecture());
        assertEquals(2047, c.variant().slidingWindow());
        assertTrue(c.sliding(0) && c.sliding(31));
        Map<String, Shape> shapes = DecoderLM.expectedShapes(c);
        assertEquals(new Shape(3 * 3072, 3072), shapes.get("model.layers.0.self_attn.qkv_proj.weight"));
        assertEquals(new Shape(2 * 8192, 3072), shapes.get("model.layers.0.mlp.gate_up_proj.weight"));
        assertEquals(new Shape(3072, 8192), shapes.get("model.layers.0.mlp.down_proj.weight"));
        assertEquals(32 * 6 + 3, shapes.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3-0.6b", "gemma-3-1b", "mistral-7b-v0.3", "olmo-2-1b", "phi-3-mini-4k"})
    void writtenBackTheConfigReadsTheSame(String name) throws IOException {
        ModelConfig c = read(name);
        Files.writeString(tmp.resolve("config.json"), c.toJson());
        assertEquals(c, ModelConfig.read(tmp));
    }

    @Test
    void whatTheFamiliesDoNotImplementIsRefusedByName() throws IOException {
        assertTrue(refusal("phi-3-mini-4k", "rope_scaling", "{\"type\": \"longrope\", \"long_factor\": [1], \"short_factor\": [1]}")
                .contains("rope_scaling type 'longrope' is not supported"));
        assertTrue(refusal("phi-3-mini-4k", "partial_rotary_factor", "0.75").contains("partial_rotary_factor 0.75"));
        assertTrue(refusal("qwen3-0.6b", "use_sliding_window", "true").contains("use_sliding_window"));
        assertTrue(refusal("gemma-3-1b", "hidden_activation", "\"gelu\"").contains("hidden_activation 'gelu' is not supported"));
        String multimodal = refusal("gemma-3-1b", "model_type", "\"gemma3\"");
        assertTrue(multimodal.endsWith("config.json: model_type 'gemma3' needs a 'text_config' object (the text decoder's settings)"),
                multimodal);
        assertTrue(refusal("olmo-2-1b", "model_type", "\"mamba\"").contains("'mamba' is not supported; supported: gpt2, llama, qwen2, "
                + "qwen3, mistral, gemma3_text, gemma3, olmo2, phi3 (GPT-2, Llama,"));
    }

    @Test
    void keysHuggingFaceHonoursAndWeDoNotImplementAreRefusedNotIgnored() throws IOException {
        String file = tmp.resolve("config.json") + ": ";
        assertEquals(file + "mlp_bias true is not supported for llama; allowed: false (or absent)",
                refusal("mistral-7b-v0.3", Map.of("model_type", "\"llama\"", "mlp_bias", "true")));
        assertEquals(file + "head_dim 128 is not supported for llama; allowed: hidden_size / num_attention_heads = 64",
                refusal("qwen3-0.6b", Map.of("model_type", "\"llama\"")));
        assertEquals(file + "use_sliding_window true is not supported for qwen2; allowed: false (or absent)",
                refusal("qwen3-0.6b", Map.of("model_type", "\"qwen2\"", "use_sliding_window", "true")));
        assertEquals(file + "use_sliding_window true is not supported for qwen3; allowed: false (or absent)",
                refusal("qwen3-0.6b", Map.of("use_sliding_window", "true")));
        assertEquals(file + "layer_types[1] 'sliding_attention' is not supported for qwen3; allowed: full_attention",
                refusal("qwen3-0.6b", Map.of("layer_types", "[\"full_attention\", \"sliding_attention\"]")));
        assertEquals(file + "use_bidirectional_attention true (EmbeddingGemma) is not supported; allowed: false",
                refusal("gemma-3-1b", Map.of("use_bidirectional_attention", "true")));
        assertEquals(file + "rope_scaling type 'yarn' is not supported; allowed: linear, llama3 (and none)",
                refusal("qwen3-0.6b", Map.of("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}")));
        assertEquals(file + "rope_parameters type 'longrope' is not supported; allowed: linear, llama3 (and none)",
                refusal("phi-3-mini-4k", Map.of("rope_parameters", "{\"rope_type\": \"longrope\", \"rope_theta\": 10000}")));
        assertEquals(file + "rope_parameters.sliding_attention type 'linear' is not supported; allowed: default (Gemma 3's sliding"
                + " layers are unscaled)", refusal("gemma-3-1b", Map.of("rope_parameters", "{\"full_attention\": {\"rope_type\":"
                + " \"default\", \"rope_theta\": 1000000}, \"sliding_attention\": {\"rope_type\": \"linear\", \"factor\": 2}}")));
    }

    @Test
    void transformers5sRopeParametersAreReadLikeTheOlderFields() throws IOException {
        // transformers 5 moves rope_theta and rope_scaling into rope_parameters (per layer kind for Gemma 3).
        ModelConfig qwen = edited("qwen3-0.6b", Map.of("rope_parameters", "{\"rope_type\": \"default\", \"rope_theta\": 500000}"), "rope_theta");
        assertEquals(500000, qwen.ropeTheta());
        assertNull(qwen.ropeScaling());
        ModelConfig gemma = edited("gemma-3-1b", Map.of("rope_parameters", "{\"full_attention\": {\"rope_type\": \"linear\","
                + " \"factor\": 8.0, \"rope_theta\": 1000000}, \"sliding_attention\": {\"rope_type\": \"default\","
                + " \"rope_theta\": 20000}}"), "rope_theta", "rope_local_base_freq");
        assertEquals(1e6, gemma.ropeTheta());
        assertEquals("linear", gemma.ropeScaling().type());
        assertEquals(8.0, gemma.ropeScaling().factor());
        assertEquals(20000, gemma.variant().localRopeTheta());
    }

    private ModelConfig edited(String name, Map<String, String> set, String... remove) throws IOException {
        ObjectNode o = (ObjectNode) new ObjectMapper().readTree(Files.readString(CONFIGS.resolve(name).resolve("config.json")));
        for (Map.Entry<String, String> e : set.entrySet()) {
            o.set(e.getKey(), new ObjectMapper().readTree(e.getValue()));
        }
        for (String r : remove) {
            o.remove(r);
        }
        Files.writeString(tmp.resolve("config.json"), o.toString());
        return ModelConfig.read(tmp);
    }

    private String refusal(String name, Map<String, String> set) {
        return assertThrows(ModelException.class, () -> edited(name, set)).getMessage();
    }

    private String refusal(String name, String field, String json) {
        return refusal(name, Map.of(field, json));
    }
}
