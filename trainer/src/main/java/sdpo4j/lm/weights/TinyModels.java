package sdpo4j.lm.weights;

import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.text.ByteLevelTokenizer;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's own small models: a config, random weights and the byte-level tokenizer,
 * written as a HuggingFace directory. Tests and the default runs use these; no weights are
 * downloaded.
 */
public final class TinyModels {
    private TinyModels() {}

    /**
     * @param family one of {@link #FAMILIES}
     * @param kvHeads key/value heads (gpt2 uses {@code heads})
     */
    public static ModelConfig config(String family, int layers, int hidden, int heads, int kvHeads, int intermediate,
            int maxPositions) {
        int vocab = ByteLevelTokenizer.VOCAB_SIZE;
        List<Integer> eos = List.of(ByteLevelTokenizer.EOS_ID);
        return switch (family) {
            case "gpt2" -> new ModelConfig(Architecture.GPT2, "gpt2", vocab, hidden, layers, heads, heads, intermediate,
                    maxPositions, 1e-5, 0, null, true, true, -1, eos);
            case "llama" -> new ModelConfig(Architecture.LLAMA, "llama", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-5, 10000, null, true, false, -1, eos);
            case "qwen2" -> new ModelConfig(Architecture.LLAMA, "qwen2", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-6, 1e6, null, true, true, -1, eos);
            // The newer families at their released models' settings, scaled to the tiny width: head_dim
            // written out (Qwen3, Gemma 3), Gemma 3's 512 window with one global layer in six, OLMo 2's base.
            case "qwen3" -> new ModelConfig(Architecture.QWEN3, "qwen3", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-6, 1e6, null, true, false, -1, eos, new ModelConfig.Variant(hidden / heads, 0, List.of(), 0, 0, 0, 0));
            case "mistral" -> new ModelConfig(Architecture.MISTRAL, "mistral", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-5, 1e6, null, true, false, -1, eos);
            case "gemma3" -> new ModelConfig(Architecture.GEMMA3, "gemma3_text", vocab, hidden, layers, heads, kvHeads,
                    intermediate, maxPositions, 1e-6, 1e6, null, true, false, -1, eos,
                    new ModelConfig.Variant(hidden / heads, 512, gemmaLayers(layers), 10000, hidden / heads, 0, 0));
            case "olmo2" -> new ModelConfig(Architecture.OLMO2, "olmo2", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-6, 500000, null, true, false, -1, eos);
            case "phi3" -> new ModelConfig(Architecture.PHI3, "phi3", vocab, hidden, layers, heads, kvHeads, intermediate,
                    maxPositions, 1e-5, 10000, null, true, false, -1, eos);
            default -> throw new ModelException("family '" + family + "' is not supported; allowed: " + String.join(", ", FAMILIES));
        };
    }

    /** The families {@link #config} makes. */
    public static final List<String> FAMILIES = List.of("gpt2", "llama", "qwen2", "qwen3", "mistral", "gemma3", "olmo2", "phi3");

    /** Gemma 3's layers: five sliding, then one global. */
    private static List<Boolean> gemmaLayers(int layers) {
        List<Boolean> sliding = new java.util.ArrayList<>();
        for (int i = 0; i < layers; i++) {
            sliding.add((i + 1) % 6 != 0);
        }
        return sliding;
    }

    /** Writes a tiny model directory with random weights; returns the model. */
    public static DecoderLM create(Path dir, ModelConfig cfg, long seed, NDManager manager) {
        DecoderLM model = DecoderLM.initialise(cfg, manager, seed);
        Path tokenizerDir = dir.toAbsolutePath().resolveSibling("." + dir.getFileName() + ".tokenizer");
        try {
            ByteLevelTokenizer.write(tokenizerDir);
            HfCheckpoint.save(model, dir, tokenizerDir);
            sdpo4j.run.AtomicFiles.deleteTree(tokenizerDir);
        } catch (java.io.IOException e) {
            throw new ModelException("cannot write " + dir + ": " + e.getMessage());
        }
        return model;
    }
}
