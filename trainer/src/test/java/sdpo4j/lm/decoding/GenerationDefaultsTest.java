package sdpo4j.lm.decoding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.ModelException;

/** generation_config.json's sampling settings apply under the user's, as transformers' generate() reads them. */
class GenerationDefaultsTest {
    @TempDir
    Path dir;

    private SamplingConfig resolve(Double temperature, Integer topK, List<String> sources) {
        return GenerationDefaults.read(dir).resolve(temperature, topK, null, null, SamplingConfig.builder().build(), sources).build();
    }

    @Test
    void withoutTheFileTheProjectDefaultsApply() {
        List<String> sources = new ArrayList<>();
        SamplingConfig c = resolve(null, null, sources);
        assertEquals(SamplingConfig.builder().build(), c);
        assertEquals("sampling: temperature 1.0 (default), top-k 0 (default), top-p 1.0 (default), max-new-tokens 64 (default)",
                GenerationDefaults.describe(sources));
    }

    @Test
    void aSamplingReleaseGivesItsSettingsAndTheUserOverridesThem() throws Exception {
        // Qwen3's generation_config.json
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 151643, \"do_sample\": true, "
                + "\"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643, \"temperature\": 0.6, \"top_k\": 20, "
                + "\"top_p\": 0.95, \"transformers_version\": \"4.51.0\"}");
        SamplingConfig c = resolve(null, null, new ArrayList<>());
        assertEquals(0.6, c.temperature());
        assertEquals(20, c.topK());
        assertEquals(0.95, c.topP());
        assertEquals(64, c.maxNewTokens());
        List<String> sources = new ArrayList<>();
        SamplingConfig user = resolve(0.0, null, sources);
        assertEquals(0.0, user.temperature());
        assertEquals(20, user.topK());
        assertTrue(sources.contains("temperature 0.0 (command line)"), sources.toString());
        assertTrue(sources.contains("top-k 20 (generation_config.json)"), sources.toString());
    }

    @Test
    void withoutDoSampleTheReleaseIsGreedyWhateverItsTemperature() throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), "{\"temperature\": 0.7, \"max_new_tokens\": 12}");
        SamplingConfig c = resolve(null, null, new ArrayList<>());
        assertEquals(0.0, c.temperature());
        assertEquals(12, c.maxNewTokens());
    }

    @Test
    void aMalformedSettingNamesTheFileAndKey() throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), "{\"do_sample\": true, \"top_k\": \"twenty\"}");
        ModelException e = assertThrows(ModelException.class, () -> GenerationDefaults.read(dir));
        assertEquals(dir.resolve("generation_config.json") + ": key 'top_k': value \"twenty\" is not allowed; allowed: an integer",
                e.getMessage());
    }
}
