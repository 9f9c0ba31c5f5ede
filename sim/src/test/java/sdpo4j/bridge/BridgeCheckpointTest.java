package sdpo4j.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.Main;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.ByteLevelTokenizer;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.TinyModels;

/**
 * {@code bridge --model DIR} with a checkpoint no bridge pretrained (here one {@code init-model}
 * would make, with a chat template that writes a system turn and reads a template variable):
 * used as it is, through its own tokenizer and template; and the letters of a tokenizer that
 * writes the space into the next letter, as released BPE tokenizers do.
 */
class BridgeCheckpointTest {
    /** Says whether it saw the variable, so that the rendered prompt shows it was passed. */
    static final String TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% if enable_thinking is defined and not enable_thinking %}"
            + "<think>\n\n</think>\n\n{% endif %}{% endif %}";

    @TempDir
    Path dir;

    @Test
    void aCheckpointIsTheTeacherAndPolicyAsItIsWithItsChatTemplate() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(ckpt, TinyModels.config("qwen3", 1, 32, 2, 1, 64, 256), 0, m);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(ckpt.resolve("tokenizer_config.json").toFile());
        config.put("chat_template", TEMPLATE);
        Files.writeString(ckpt.resolve("tokenizer_config.json"), json.writeValueAsString(config));
        List<String> args = new ArrayList<>(List.of("bridge", "--runs-dir", dir.toString(), "--name", "b", "--model", ckpt.toString(),
                "--set", "prompts-dir=../prompts", "--set", "seeds=1", "--set", "steps=2", "--set", "final-window=1",
                "--set", "rollouts=4", "--set", "sets=[hybrid]", "--set", "teacher-check=4", "--set", "sim-steps=6",
                "--set", "sim-final-window=2", "--set", "chat.system-prompt=Write letters.",
                "--set", "chat.template-variables=[enable_thinking=false]"));
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(args.toArray(String[]::new), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)),
                err.toString());
        String report = Files.readString(dir.resolve("b/report.md"));
        assertTrue(report.contains("the checkpoint " + ckpt + " (qwen3, 1 layers, 32 wide) as it is"), report);
        assertTrue(report.contains("| continuous |") && report.contains("hybrid keeps more entropy"), report);
        assertTrue(!Files.exists(ckpt.resolve(PretrainedTeacher.FILE)) && !Files.exists(dir.resolve("b/model")),
                "the checkpoint is used in place, not pretrained or copied");
        BridgeConfig cfg = sdpo4j.config.ConfigLoader.load(BridgeConfig.class, BridgeConfig.DEFAULT, dir.resolve("b/config.yaml"),
                List.of());
        try (Tokenizer tok = Tokenizer.load(ckpt, ModelConfig.read(ckpt), cfg.chat().options())) {
            assertEquals("<|im_start|>system\nWrite letters.<|im_end|>\n<|im_start|>user\nP<|im_end|>\n<|im_start|>assistant\n"
                    + "<think>\n\n</think>\n\n", tok.renderUserTurn("P"), "the run's chat options reach the template");
        }
    }

    @Test
    void aTokenizerThatWritesTheSpaceIntoTheNextLetterHasOneTokenPerSymbol() throws Exception {
        // The byte-level tokenizer plus GPT-2 style merges "Ġ" + letter: " B" is one token, as in Qwen's and Llama 3's.
        ByteLevelTokenizer.write(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        ObjectNode vocab = (ObjectNode) root.path("model").path("vocab");
        ArrayNode merges = (ArrayNode) root.path("model").path("merges");
        for (int v = 0; v < 8; v++) {
            vocab.put("\u0120" + (char) ('A' + v), 260 + v);
            merges.add("\u0120 " + (char) ('A' + v));
        }
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(root));
        ModelConfig model = new ModelConfig(Architecture.LLAMA, "llama", 268, 32, 1, 2, 1, 64, 64, 1e-5, 10000, null, true, false,
                -1, List.of(ByteLevelTokenizer.EOS_ID));
        try (Tokenizer tok = Tokenizer.load(dir, model)) {
            LetterLayout layout = new LetterLayout(tok, 8, 6);
            assertEquals(6, layout.responseLength());
            long[] ids = layout.encode(new int[] {7, 0, 1, 2, 3, 4});
            assertArrayEquals(new long[] {'H', 260, 261, 262, 263, 264}, ids);
            assertArrayEquals(tok.encode("H A B C D E"), ids);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, layout.positions(ids));
            assertNull(layout.positions(tok.encode("H A B C D")));
            assertNull(layout.positions(tok.encode("H A B C D E F G")));
            assertEquals(0, layout.symbol(1, 260));
            assertEquals(-1, layout.symbol(0, 260), "the first letter has no space before it");
            assertArrayEquals(new long[] {'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'}, layout.letterIds(0));
        }
    }
}
