package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * BOS/EOS and added tokens as the releases' files say, on small hand-made tokenizer.json files
 * that exercise the rules of the real ones (Llama 3's TemplateProcessing post-processor, Gemma's
 * and Qwen3's {@code add_bos_token}, special and non-special added tokens); the encoding itself
 * is the HuggingFace tokenizers library's, which the expected ids here are compared against.
 * {@code RealTokenizerSpecialsTest} (-Plarge) checks the same rules on the released files.
 */
class SpecialTokensTest {
    static final int BOS = 260;
    static final int THINK = 261;
    static final String BOS_TEXT = "<|begin_of_text|>";
    /** Writes its BOS itself, as Llama 3's and Gemma's templates do. */
    static final String BOS_TEMPLATE = "{{ bos_token }}{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
            + "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The project's byte-level tokenizer plus a special BOS (id 260) and a non-special {@code <think>} (261). */
    private void write(ObjectNode postProcessor, Map<String, Object> configChanges) throws Exception {
        ByteLevelTokenizer.write(dir);
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve("tokenizer.json").toFile());
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        added.add(((ObjectNode) added.get(0)).deepCopy().put("id", BOS).put("content", BOS_TEXT));
        added.add(((ObjectNode) added.get(0)).deepCopy().put("id", THINK).put("content", "<think>").put("special", false));
        root.set("post_processor", postProcessor);
        Files.writeString(dir.resolve("tokenizer.json"), JSON.writeValueAsString(root));
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.put("bos_token", BOS_TEXT);
        configChanges.forEach((k, v) -> config.set(k, JSON.valueToTree(v)));
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
    }

    /** Llama 3's post-processor: ByteLevel, then TemplateProcessing putting BOS before the text. */
    static ObjectNode llama3PostProcessor(String bos, int bosId) {
        ObjectNode template = JSON.createObjectNode().put("type", "TemplateProcessing");
        template.putArray("single").addObject().putObject("SpecialToken").put("id", bos).put("type_id", 0);
        ((ArrayNode) template.get("single")).addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        template.putArray("pair").addAll((ArrayNode) template.get("single").deepCopy())
                .addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode special = template.putObject("special_tokens").putObject(bos).put("id", bos);
        special.putArray("ids").add(bosId);
        special.putArray("tokens").add(bos);
        ObjectNode sequence = JSON.createObjectNode().put("type", "Sequence");
        sequence.putArray("processors").addObject().put("type", "ByteLevel").put("add_prefix_space", true)
                .put("trim_offsets", false).put("use_regex", true);
        ((ArrayNode) sequence.get("processors")).add(template);
        return sequence;
    }

    private Tokenizer load() {
        ModelConfig model = new ModelConfig(Architecture.LLAMA, "llama", 262, 32, 1, 2, 1, 64, 64, 1e-5, 10000, null, true, false,
                -1, List.of(ByteLevelTokenizer.EOS_ID));
        return Tokenizer.load(dir, model);
    }

    private long[] reference(String text, boolean addSpecialTokens) throws Exception {
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of())) {
            return hf.encode(text, addSpecialTokens, false).getIds();
        }
    }

    @Test
    void aPlainPromptGetsThePostProcessorsBosLikeTokenizerOfText() throws Exception {
        write(llama3PostProcessor(BOS_TEXT, BOS), Map.of());
        try (Tokenizer tok = load()) {
            assertArrayEquals(new long[] {BOS, 'H', 'i'}, tok.encodePrompt("Hi"));
            assertArrayEquals(reference("Hi there", true), tok.encodePrompt("Hi there"), "the library's own post-processing");
            assertArrayEquals(new long[] {'H', 'i'}, tok.encode("Hi"), "encode adds nothing (responses, continuations)");
            assertEquals("tokenizer.json post_processor", tok.textPrefixSource());
        }
    }

    @Test
    void aChatRenderedPromptHasTheTemplatesBosOnlyOnce() throws Exception {
        write(llama3PostProcessor(BOS_TEXT, BOS), Map.of("chat_template", BOS_TEMPLATE));
        try (Tokenizer tok = load()) {
            long[] ids = tok.encodeUserTurn("Hi");
            assertEquals(BOS, ids[0]);
            assertEquals(1, java.util.Arrays.stream(ids).filter(i -> i == BOS).count(), java.util.Arrays.toString(ids));
            assertArrayEquals(reference(tok.renderUserTurn("Hi"), false), ids, "apply_chat_template: add_special_tokens=False");
        }
    }

    @Test
    void withoutAChatTemplateThePlainFormatIsAPlainTextWithItsBos() throws Exception {
        write(llama3PostProcessor(BOS_TEXT, BOS), Map.of());
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        config.remove("chat_template");
        Files.writeString(dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(config));
        try (Tokenizer tok = load()) {
            long[] ids = tok.encodeUserTurn("Hi");
            assertEquals("user: Hi\nassistant: ", tok.renderUserTurn("Hi"));
            assertArrayEquals(reference("user: Hi\nassistant: ", true), ids);
            assertEquals(BOS, ids[0]);
        }
    }

    @Test
    void addBosTokenInTokenizerConfigRebuildsTheRuleAsTransformersDoes() throws Exception {
        // Gemma 3 and Mistral: add_bos_token true; the flag wins over a post-processor that adds nothing.
        write(null, Map.of("add_bos_token", true, "add_eos_token", false));
        try (Tokenizer tok = load()) {
            assertArrayEquals(new long[] {BOS, 'H', 'i'}, tok.encodePrompt("Hi"));
            assertEquals("tokenizer_config.json add_bos_token/add_eos_token", tok.textPrefixSource());
        }
        // Qwen3: add_bos_token false (and no bos_token); a post-processor that would add one is replaced.
        write(llama3PostProcessor(BOS_TEXT, BOS), Map.of("add_bos_token", false));
        try (Tokenizer tok = load()) {
            assertArrayEquals(new long[] {'H', 'i'}, tok.encodePrompt("Hi"));
        }
        // add_eos_token alone: transformers' [bos] $A [eos] with add_bos_token false; no EOS after a prompt.
        write(llama3PostProcessor(BOS_TEXT, BOS), Map.of("add_eos_token", true));
        try (Tokenizer tok = load()) {
            assertArrayEquals(new long[] {'H', 'i'}, tok.encodePrompt("Hi"));
        }
    }

    @Test
    void aMalformedFlagOrAMissingBosNamesTheFileAndKey() throws Exception {
        write(null, Map.of("add_bos_token", "yes"));
        ModelException e = assertThrows(ModelException.class, this::load);
        assertEquals(dir.resolve("tokenizer_config.json") + ": key 'add_bos_token': value \"yes\" is not allowed; allowed: true or false",
                e.getMessage());
        write(null, Map.of("add_bos_token", true, "bos_token", "<s>"));
        e = assertThrows(ModelException.class, this::load);
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer_config.json") + ": key 'bos_token': value \"<s>\" is not one token"),
                e.getMessage());
    }

    @Test
    void addedTokensAreOneIdAndOnlySpecialOnesAreSkippedWhenDecoding() throws Exception {
        write(null, Map.of());
        try (Tokenizer tok = load()) {
            long[] ids = tok.encode("a<|im_start|>b<think>c" + BOS_TEXT);
            assertArrayEquals(new long[] {'a', 258, 'b', THINK, 'c', BOS}, ids);
            // skip_special_tokens=True: <|im_start|> and BOS are special, <think> is not (Qwen3's is not either).
            assertEquals("ab<think>c", tok.decode(ids));
            assertEquals("a<|im_start|>b<think>c" + BOS_TEXT, tok.decodeRaw(ids));
        }
    }

    @Test
    void anAnswerEndsWithTheTurnEndTheTokenizerConfigNamesWhenItStopsGeneration() throws Exception {
        // Llama 3 Instruct: config.json's first EOS is <|end_of_text|>, the template ends a reply with
        // <|eot_id|> (tokenizer_config.json's eos_token), which generation_config.json lists.
        write(null, Map.of("eos_token", ByteLevelTokenizer.IM_END));
        try (Tokenizer tok = load()) {
            assertEquals(List.of((long) ByteLevelTokenizer.EOS_ID), tok.eosIds());
            assertEquals(ByteLevelTokenizer.EOS_ID, tok.answerEndId(), "an eos_token that does not stop generation is not used");
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [256, 259]}");
        try (Tokenizer tok = load()) {
            assertEquals(259, tok.answerEndId());
        }
    }

    @Test
    void anAddedTokenPastTheModelsVocabularyLoadsButIsRefusedWhereUsed() throws Exception {
        // Gemma 3 1B: a 262144-row embedding and an image token with id 262144.
        write(null, Map.of());
        ModelConfig model = new ModelConfig(Architecture.LLAMA, "llama", 261, 32, 1, 2, 1, 64, 64, 1e-5, 10000, null, true, false,
                -1, List.of(ByteLevelTokenizer.EOS_ID));
        try (Tokenizer tok = Tokenizer.load(dir, model)) {
            assertArrayEquals(new long[] {'o', 'k', BOS}, tok.encode("ok" + BOS_TEXT));
            ModelException e = assertThrows(ModelException.class, () -> tok.encode("a<think>"));
            assertEquals("the text contains '<think>' (token id 261), a token the model has no embedding for (past its vocab_size): "
                    + "this checkpoint cannot read it", e.getMessage());
        }
    }
}
