package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.arithmetic.ArithmeticTool;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.TinyModels;

/**
 * A teacher context over {@code reprompt.max-reprompt-len} under real chat templates: {@code
 * right} keeps its first tokens and the template's end of turn and generation prompt (the teacher
 * still reads the response as the assistant's turn), {@code left} its last tokens.
 */
class TeacherContextTruncationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A tiny model's tokenizer with {@code family}'s template ("" = the tiny model's own ChatML). */
    private Tokenizer tokenizer(String family) throws Exception {
        Path model = dir.resolve("tiny");
        DecoderLM lm;
        try (NDManager m = NDManager.newBaseManager()) {
            lm = TinyModels.create(model, TinyModels.config("qwen3", 1, 32, 2, 1, 64, 256), 0, m);
        }
        if (!family.isEmpty()) {
            JsonNode real = MultiTurnTaskTest.resource(family + "/tokenizer_config.json");
            Path config = model.resolve("tokenizer_config.json");
            ObjectNode tokenizerConfig = (ObjectNode) JSON.readTree(config.toFile());
            tokenizerConfig.put("chat_template", real.get("chat_template").asText());
            if (real.has("bos_token")) {
                tokenizerConfig.set("bos_token", real.get("bos_token")); // Llama's and Gemma's templates write it
            }
            Files.writeString(config, JSON.writeValueAsString(tokenizerConfig));
        }
        return Tokenizer.load(model, lm.config());
    }

    @ParameterizedTest
    @CsvSource(value = {
            "'' ; <|im_end|>\\n<|im_start|>assistant\\n",
            "qwen2.5 ; <|im_end|>\\n<|im_start|>assistant\\n",
            "llama3.1 ; <|eot_id|><|start_header_id|>assistant<|end_header_id|>\\n\\n",
            "gemma3 ; <end_of_turn>\\n<start_of_turn>model\\n"}, delimiter = ';')
    void rightKeepsTheStartAndTheGenerationPromptLeftTheEnd(String family, String closing) throws Exception {
        closing = closing.replace("\\n", "\n");
        ArithmeticTool env = new ArithmeticTool(ArithmeticConfig.DEFAULT, FeedbackDetail.TERSE);
        String line = JSON.writeValueAsString(Map.of("prompt", List.of(Map.of("role", "user", "content", "(2+3)+4="),
                Map.of("role", "assistant", "content", "<tool_call>\n{\"name\": \"calculator\", \"arguments\": "
                        + "{\"expression\": \"2+3\"}}\n</tool_call>"),
                Map.of("role", "tool", "content", "5"), Map.of("role", "user", "content", "5+4=")), "answer", 9));
        Task task = Datasets.parse(Path.of("d.jsonl"), 1, line, env);
        TeacherContexts.Templates templates = TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic-tool");
        // A long demonstration pushes the context over the limit; its last words are the ones cut.
        TeacherContexts.Context context = new TeacherContexts.Context("9 " + "because five plus four is nine; ".repeat(12)
                + "END-OF-SOLUTION", null);
        List<ChatTemplate.Message> conversation = new TeacherContexts(templates).conversation(task, context);
        try (Tokenizer tok = tokenizer(family.strip())) {
            long[] ids = tok.encodeConversation(conversation);
            int max = ids.length - 40;
            int tail = tok.generationPromptLength(conversation, ids);
            assertTrue(tail > 0, "the template's closing tokens are found");

            long[] right = new TeacherContexts(templates, RepromptConfig.builder().maxRepromptLen(max).build())
                    .fit(ids, () -> tok.generationPromptLength(conversation, ids));
            assertEquals(max, right.length);
            assertArrayEquals(Arrays.copyOf(ids, max - tail), Arrays.copyOf(right, max - tail), "the first tokens are kept");
            String kept = tok.decodeRaw(right);
            assertTrue(kept.endsWith(closing), "the generation prompt survives the cut: ..."
                    + kept.substring(Math.max(0, kept.length() - 80)));
            assertTrue(kept.contains("(2+3)+4=") && kept.contains("5+4="), "the earlier turns and the question are kept");
            assertFalse(kept.contains("END-OF-SOLUTION"), "the end of the text is what is cut");

            long[] left = new TeacherContexts(templates, RepromptConfig.builder().maxRepromptLen(max)
                    .truncation(Truncation.LEFT).build()).fit(ids, () -> { throw new AssertionError("left needs no tail"); });
            assertArrayEquals(Arrays.copyOfRange(ids, 40, ids.length), left);
            assertTrue(tok.decodeRaw(left).endsWith(closing));
        }
    }
}
