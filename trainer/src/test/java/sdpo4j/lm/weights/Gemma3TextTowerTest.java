package sdpo4j.lm.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * Gemma 3 as released from 4B up ({@code Gemma3ForConditionalGeneration}: {@code model_type gemma3},
 * the decoder's settings in {@code text_config}, its tensors under a wrapper prefix beside the
 * vision tower's): a tiny Gemma 3 rewritten in that layout loads as the same decoder, with the
 * same weights and the same logits.
 */
class Gemma3TextTowerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The tiny model's directory rewritten as a multimodal release; {@code rename} wraps each decoder tensor's name. */
    private Path multimodal(Path plain, String name, UnaryOperator<String> rename, String visionPrefix, NDManager m) throws Exception {
        Path out = Files.createDirectories(dir.resolve(name));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(plain.resolve(f), out.resolve(f));
        }
        ObjectNode text = (ObjectNode) JSON.readTree(plain.resolve("config.json").toFile());
        var eos = text.remove("eos_token_id"); // the releases set the ids at the top level
        text.remove("architectures");
        ObjectNode top = JSON.createObjectNode();
        top.putArray("architectures").add("Gemma3ForConditionalGeneration");
        top.put("model_type", "gemma3");
        top.set("eos_token_id", eos);
        top.put("image_token_index", 262144);
        top.set("text_config", text);
        top.putObject("vision_config").put("model_type", "siglip_vision_model").put("hidden_size", 8);
        Files.writeString(out.resolve("config.json"), top.toPrettyString());
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Path weights = plain.resolve("model.safetensors");
        for (TensorInfo t : Safetensors.readHeader(weights).values()) {
            tensors.put(rename.apply(t.name()), Safetensors.load(m, weights, t));
        }
        tensors.put(visionPrefix + "vision_tower.vision_model.embeddings.patch_embedding.weight", m.randomNormal(new Shape(8, 3, 2, 2)));
        tensors.put(visionPrefix + "multi_modal_projector.mm_input_projection_weight", m.randomNormal(new Shape(8, 32)));
        Safetensors.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"before-4.52", "since-4.52"})
    void theTextDecoderOfAMultimodalReleaseLoadsAsTheSameModel(String layout) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path plainDir = dir.resolve("plain");
            DecoderLM plain = TinyModels.create(plainDir, TinyModels.config("gemma3", 2, 32, 2, 1, 64, 512), 0, m);
            Path wrapped = layout.equals("before-4.52")
                    ? multimodal(plainDir, layout, n -> "language_model." + n, "", m)
                    : multimodal(plainDir, layout, n -> n.replaceFirst("^model\\.", "model.language_model."), "model.", m);
            DecoderLM tower = HfCheckpoint.load(wrapped, m);
            assertEquals(plain.config(), tower.config());
            assertEquals(plain.parameters().keySet(), tower.parameters().keySet());
            NDArray ids = m.create(new long[] {1, 5, 9, 200, 3, 77}, new Shape(1, 6));
            NDArray pos = m.arange(0, 6, 1, DataType.INT64).reshape(1, 6);
            NDArray mask = ids.onesLike();
            assertArrayEquals(plain.forward(ids, pos, mask, null).toFloatArray(), tower.forward(ids, pos, mask, null).toFloatArray());
        }
    }

    @Test
    void aTensorOfNoKnownTowerIsStillRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path plainDir = dir.resolve("plain");
            TinyModels.create(plainDir, TinyModels.config("gemma3", 1, 32, 2, 1, 64, 512), 0, m);
            Path wrapped = multimodal(plainDir, "odd", n -> "language_model." + n, "audio_tower.", m);
            String msg = assertThrows(ModelException.class, () -> HfCheckpoint.load(wrapped, m)).getMessage();
            assertTrue(msg.contains("unexpected tensors [audio_tower.vision_tower"), msg);
        }
    }

    @Test
    void aTextConfigSettingOnlyWhatDiffersTakesGemma3TextConfigsDefaults() throws Exception {
        // Shaped as the 4B release's text_config: widths, layers, window and scaling only.
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"Gemma3ForConditionalGeneration\"],"
                + " \"model_type\": \"gemma3\", \"eos_token_id\": [1, 106], \"text_config\": {\"hidden_size\": 2560,"
                + " \"intermediate_size\": 10240, \"model_type\": \"gemma3_text\", \"num_hidden_layers\": 34,"
                + " \"rope_scaling\": {\"factor\": 8.0, \"rope_type\": \"linear\"}, \"sliding_window\": 1024}}");
        ModelConfig c = ModelConfig.read(dir);
        assertEquals("gemma3_text", c.modelType());
        assertEquals(262208, c.vocabSize());
        assertEquals(8, c.numHeads());
        assertEquals(4, c.numKvHeads());
        assertEquals(256, c.headDim());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(new ModelConfig.RopeScaling("linear", 8, 1, 4, 8192), c.ropeScaling());
        assertEquals(10000, c.variant().localRopeTheta());
        assertEquals(1024, c.variant().slidingWindow());
        assertEquals(List.of(1, 106), c.eosTokenIds());
        assertTrue(c.tieWordEmbeddings());
        assertTrue(c.sliding(4) && !c.sliding(5) && !c.sliding(29) && c.sliding(33));
    }
}
