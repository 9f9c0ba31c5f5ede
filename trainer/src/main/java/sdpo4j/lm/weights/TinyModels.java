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
     * @param family {@code gpt2}, {@code llama} or {@code qwen2}
     * @param kvHeads key/value heads (llama and qwen2; gpt2 uses {@code heads})
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
            default -> throw new ModelException("family '" + family + "' is not supported; allowed: gpt2, llama, qwen2");
        };
    }

    /** Writes a tiny model directory with random weights; returns the model. */
    public static DecoderLM create(Path dir, ModelConfig cfg, long seed, NDManager manager) {
        DecoderLM model = DecoderLM.initialise(cfg, manager, seed);
        Path tokenizerDir = dir.toAbsolutePath().resolveSibling("." + dir.getFileName() + ".tokenizer");
        try {
            ByteLevelTokenizer.write(tokenizerDir);
            HfCheckpoint.save(model, dir, tokenizerDir);
            HfCheckpoint.deleteTree(tokenizerDir);
        } catch (java.io.IOException e) {
            throw new ModelException("cannot write " + dir + ": " + e.getMessage());
        }
        return model;
    }
}
