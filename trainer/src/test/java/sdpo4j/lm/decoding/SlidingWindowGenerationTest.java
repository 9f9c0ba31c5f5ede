package sdpo4j.lm.decoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.ByteLevelTokenizer;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;

/**
 * Batched cached generation of sliding-window models (left-padded prompts of mixed lengths,
 * decoding far past the window of 4) equals greedy recomputation of each prompt alone: Mistral
 * (whose cached passes fold the input norm into q/k/v), Phi-3 (fused projections) and Gemma 3
 * (sliding and global layers alternating, each with its RoPE base).
 */
class SlidingWindowGenerationTest {
    @TempDir
    Path tmp;

    static ModelConfig config(String family) {
        int vocab = ByteLevelTokenizer.VOCAB_SIZE;
        List<Integer> eos = List.of(ByteLevelTokenizer.EOS_ID);
        var window = new ModelConfig.Variant(0, 4, List.of(), 0, 0, 0, 0);
        return switch (family) {
            case "mistral" -> new ModelConfig(Architecture.MISTRAL, "mistral", vocab, 32, 2, 4, 2, 64, 128, 1e-5, 10000, null,
                    true, false, -1, eos, window);
            case "phi3" -> new ModelConfig(Architecture.PHI3, "phi3", vocab, 32, 2, 4, 2, 64, 128, 1e-5, 10000, null, true,
                    false, -1, eos, window);
            case "gemma3" -> new ModelConfig(Architecture.GEMMA3, "gemma3_text", vocab, 32, 3, 2, 1, 64, 128, 1e-6, 1e6, null,
                    true, false, -1, eos, new ModelConfig.Variant(16, 4, List.of(true, false, true), 10000, 16, 0, 0));
            default -> throw new IllegalArgumentException(family);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral", "phi3", "gemma3"})
    void batchedCachedGreedyEqualsRecomputationPerPrompt(String family) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = tmp.resolve(family);
            TinyModels.create(dir, config(family), 11, manager);
            DecoderLM model = HfCheckpoint.load(dir, manager);
            for (NDArray p : model.parameterList()) {
                if (p.getShape().dimension() == 2) {
                    p.muli(25); // peaked distributions: greedy choices far from ties
                }
            }
            try (Tokenizer tokenizer = Tokenizer.load(dir, model.config())) {
                List<long[]> prompts = List.of(tokenizer.encode("7*8="), tokenizer.encode("a longer prompt: 12+30="));
                SamplingConfig greedy = new SamplingConfig(0, 0, 1, 16, List.of(), 0);
                List<Generation> gens = new Generator(model, tokenizer).generate(manager, prompts, greedy);
                for (int i = 0; i < prompts.size(); i++) {
                    long[] got = gens.get(i).tokens();
                    assertTrue(got.length > 4, family + ": only " + got.length + " tokens");
                    assertArrayEquals(greedyByRecomputation(model, manager, prompts.get(i), got.length), got, family + " prompt " + i);
                }
            }
        }
    }

    /** {@code init-model}'s models of every family: written, loaded back with identical logits, and generating. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3", "mistral", "gemma3", "olmo2", "phi3"})
    void tinyModelsOfEveryFamilyLoadAndGenerate(String family) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Path dir = tmp.resolve(family);
            DecoderLM made = TinyModels.create(dir, TinyModels.config(family, 2, 32, 4, 2, 64, 64), 3, manager);
            DecoderLM model = HfCheckpoint.load(dir, manager);
            assertEquals(made.config(), model.config());
            NDArray ids = manager.create(new long[] {5, 9, 2, 31}, new Shape(1, 4));
            NDArray pos = manager.arange(0, 4, 1, DataType.INT64).reshape(1, -1);
            assertArrayEquals(made.forward(ids, pos, ids.onesLike(), null).toFloatArray(),
                    model.forward(ids, pos, ids.onesLike(), null).toFloatArray());
            try (Tokenizer tokenizer = Tokenizer.load(dir, model.config())) {
                List<Generation> gens = new Generator(model, tokenizer).generate(manager, List.of(tokenizer.encode("hi")),
                        new SamplingConfig(1, 0, 1, 4, List.of(), 0, true));
                assertEquals(4, gens.get(0).tokens().length, family);
            }
        }
    }

    private static long[] greedyByRecomputation(DecoderLM model, NDManager manager, long[] prompt, int n) {
        long[] seq = prompt.clone();
        long[] out = new long[n];
        for (int t = 0; t < n; t++) {
            try (NDManager m = manager.newSubManager()) {
                NDArray ids = m.create(seq, new Shape(1, seq.length));
                NDArray logits = model.forward(ids, m.arange(0, seq.length, 1, DataType.INT64).reshape(1, -1), ids.onesLike(), null);
                out[t] = logits.get("0, -1, :").argMax().getLong();
            }
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = out[t];
        }
        return out;
    }
}
