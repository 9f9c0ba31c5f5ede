package sdpo4j.lm.text;

import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.TinyModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Tokenizer#encode} reads only the ids of the native encoding: the same ids as DJL's full encode. */
class TokenizerTest {
    @TempDir
    Path dir;

    @Test
    void idsEqualDjlsEncodeOnRandomText() throws Exception {
        String[] pieces = {"<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|pad|>", "user\n", " ", "\n\n", "7+4=", "é", "日本",
                "\uD83D\uDE00", "The answer -6 is wrong: it is too small.", "{{ 1 + 2 }}", "\t", "<|im_", ""};
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = TinyModels.create(dir, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
            try (Tokenizer tok = Tokenizer.load(dir, model.config());
                    HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
                Random rnd = new Random(7);
                for (int trial = 0; trial < 300; trial++) {
                    StringBuilder text = new StringBuilder();
                    for (int k = rnd.nextInt(12); k > 0; k--) {
                        text.append(rnd.nextInt(4) == 0 ? String.valueOf((char) (32 + rnd.nextInt(95))) : pieces[rnd.nextInt(pieces.length)]);
                    }
                    String s = text.toString();
                    assertArrayEquals(hf.encode(s, false, false).getIds(), tok.encode(s), s);
                }
            }
        }
    }
}
