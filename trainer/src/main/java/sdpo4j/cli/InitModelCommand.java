package sdpo4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.weights.TinyModels;

/** {@code sdpo4j init-model}: a new HuggingFace model directory with random weights and our tokenizer. */
@Command(name = "init-model", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Create a small causal LM (config.json, model.safetensors, byte-level tokenizer.json) with "
                + "random weights, loadable by sdpo4j and by HuggingFace tools.")
public final class InitModelCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Directory to create.")
    Path dir;

    @Option(names = "--family", defaultValue = "llama", description = "gpt2, llama, qwen2, qwen3, mistral, gemma3, olmo2 or phi3.")
    String family;

    @Option(names = "--layers", defaultValue = "4", description = "Decoder blocks.")
    int layers;

    @Option(names = "--hidden", defaultValue = "256", description = "Model width.")
    int hidden;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads.")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "Key/value heads (all but gpt2).")
    int kvHeads;

    @Option(names = "--intermediate", defaultValue = "0", description = "MLP width; 0 = 4 x hidden (gpt2) or 8/3 x hidden (llama).")
    int intermediate;

    @Option(names = "--max-positions", defaultValue = "512", description = "Longest sequence.")
    int maxPositions;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed.")
    long seed;

    @Option(names = "--overwrite", description = "Replace an existing directory.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (Files.exists(dir) && !overwrite) {
            throw new sdpo4j.run.RunException(dir + " already exists; pass --overwrite to replace it");
        }
        for (int v : new int[] {layers, hidden, heads, kvHeads, maxPositions}) {
            if (v < 1) {
                throw new sdpo4j.config.ConfigException("size", v, "positive integers for --layers, --hidden, --heads, --kv-heads, --max-positions");
            }
        }
        int inter = intermediate > 0 ? intermediate
                : family.equals("gpt2") ? 4 * hidden : ((8 * hidden / 3 + 63) / 64) * 64;
        ModelConfig cfg = TinyModels.config(family, layers, hidden, heads, family.equals("gpt2") ? heads : kvHeads,
                inter, maxPositions);
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = TinyModels.create(dir, cfg, seed, m);
            long n = model.parameterList().stream().mapToLong(p -> p.getShape().size()).sum();
            System.out.printf("wrote %s: %s, %d layers x %d wide, %,d parameters%n", dir, family, layers, hidden, n);
        }
        return 0;
    }
}
