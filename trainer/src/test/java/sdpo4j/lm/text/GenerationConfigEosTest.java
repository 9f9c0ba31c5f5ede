package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.GenerationConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.weights.TinyModels;

/** Every id of generation_config.json's eos_token_id stops generation, as in transformers' generate(). */
class GenerationConfigEosTest {
    @TempDir
    Path dir;

    @Test
    void everyGenerationConfigEosIdIsAnEosId() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = TinyModels.create(dir, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
            List<Long> before;
            try (Tokenizer tok = Tokenizer.load(dir, model.config())) {
                before = tok.eosIds();
            }
            Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + before.get(0) + ", 7, 9]}");
            try (Tokenizer tok = Tokenizer.load(dir, model.config())) {
                List<Long> expected = new ArrayList<>(before);
                expected.add(7L);
                expected.add(9L);
                assertEquals(expected, tok.eosIds(), "config.json's ids first, then the new ones, none twice");
            }
            Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 11}");
            try (Tokenizer tok = Tokenizer.load(dir, model.config())) {
                assertTrue(tok.eosIds().contains(11L));
            }
        }
    }

    @Test
    void aMalformedEosIdNamesTheFileAndKey() throws Exception {
        Path file = dir.resolve("generation_config.json");
        Files.writeString(file, "{\"eos_token_id\": [\"</s>\"]}");
        ModelException e = assertThrows(ModelException.class, () -> GenerationConfig.read(dir));
        assertTrue(e.getMessage().startsWith(file + ": key 'eos_token_id': value [\"</s>\"]"), e.getMessage());
        Files.writeString(file, "{\"temperature\": 0.6}");
        assertEquals(List.of(), GenerationConfig.read(dir).eosTokenIds());
    }
}
