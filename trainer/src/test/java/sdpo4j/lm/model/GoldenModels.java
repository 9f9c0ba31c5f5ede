package sdpo4j.lm.model;

import sdpo4j.lm.weights.HfCheckpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tiny models and inputs of the golden tests. {@code main} writes them; then
 * {@code trainer/src/test/python/lm_reference.py} (PyTorch eager, independent of this code)
 * writes each case's {@code logits.bin}. See {@code trainer/src/test/python/make_golden.sh}.
 */
public final class GoldenModels {
    /**
     * llama-gqa's shape with PEFT LoRA adapters (rank 3, alpha 5, every projection) in {@code adapter/}: the reference
     * merges them as PEFT defines, {@code W + (lora_alpha / r) B A}, from the files alone.
     */
    static final String LORA = "llama-lora";
    static final List<String> CASES = List.of("gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "llama-attn-bias", "qwen3", "mistral-window", "gemma3",
            "olmo2", "phi3-window", LORA);
    static final long[][] IDS = {{5, 9, 2, 31, 7, 7, 12, 3}, {0, 0, 0, 14, 1, 38, 20, 6}};
    static final long[][] MASK = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}};

    private GoldenModels() {}

    static ModelConfig config(String name) {
        return switch (name) {
            case "gpt2" -> new ModelConfig(Architecture.GPT2, "gpt2", 40, 24, 2, 4, 4, 48, 32, 1e-5, 0, null, true, true, -1, List.of(1));
            case "llama-gqa", LORA -> new ModelConfig(Architecture.LLAMA, "llama", 40, 32, 2, 4, 2, 48, 64, 1e-6, 10000, null, false, false, -1, List.of(1));
            case "qwen2-bias" -> new ModelConfig(Architecture.LLAMA, "qwen2", 40, 32, 2, 4, 1, 40, 64, 1e-6, 1e6, null, true, true, -1, List.of(1));
            // attention_bias: q, k, v and o biased (HF's LlamaAttention), unlike Qwen2's q/k/v only.
            case "llama-attn-bias" -> new ModelConfig(Architecture.LLAMA, "llama", 40, 32, 2, 4, 2, 48, 64, 1e-6, 10000, null, false,
                    true, -1, List.of(1));
            case "llama3-rope" -> new ModelConfig(Architecture.LLAMA, "llama", 40, 32, 2, 2, 2, 40, 64, 1e-5, 500000,
                    new ModelConfig.RopeScaling("llama3", 8, 1, 4, 16), false, false, -1, List.of(1));
            // head_dim 16, not 32 / 4 heads, as Qwen3-0.6B's 128 is not 1024 / 16; tied head as 0.6B's.
            case "qwen3" -> new ModelConfig(Architecture.QWEN3, "qwen3", 40, 32, 2, 4, 2, 48, 64, 1e-6, 1e6, null, true, false,
                    -1, List.of(1), variant(16, 0, List.of(), 0, 0, 0, 0));
            // A window of 3 on 8-token rows: most keys of the later positions are outside it.
            case "mistral-window" -> new ModelConfig(Architecture.MISTRAL, "mistral", 40, 32, 2, 4, 2, 48, 64, 1e-5, 10000, null,
                    false, false, -1, List.of(1), variant(0, 3, List.of(), 0, 0, 0, 0));
            // Layers sliding, global, sliding (pattern 2); global RoPE scaled linearly as Gemma-3-4B's; both soft-caps on.
            case "gemma3" -> new ModelConfig(Architecture.GEMMA3, "gemma3_text", 40, 32, 3, 2, 1, 48, 64, 1e-6, 1e6,
                    new ModelConfig.RopeScaling("linear", 8, 1, 4, 8192), true, false, -1, List.of(1),
                    variant(24, 3, List.of(true, false, true), 10000, 20, 4, 5));
            case "olmo2" -> new ModelConfig(Architecture.OLMO2, "olmo2", 40, 32, 2, 4, 4, 48, 64, 1e-6, 500000, null, false,
                    false, -1, List.of(1), ModelConfig.Variant.NONE);
            case "phi3-window" -> new ModelConfig(Architecture.PHI3, "phi3", 40, 32, 2, 4, 2, 48, 64, 1e-5, 10000, null, false,
                    false, -1, List.of(1), variant(0, 5, List.of(), 0, 0, 0, 0));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static ModelConfig.Variant variant(int headDim, int window, List<Boolean> sliding, double localTheta,
            double queryPreAttnScalar, double attnSoftcap, double finalSoftcap) {
        return new ModelConfig.Variant(headDim, window, sliding, localTheta, queryPreAttnScalar, attnSoftcap, finalSoftcap);
    }

    /** Weights large enough that every path matters: norms near 1, everything else N(0, 0.4^2). */
    static DecoderLM model(String name, NDManager m) {
        ModelConfig cfg = config(name);
        Random rnd = new Random(name.hashCode());
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : DecoderLM.expectedShapes(cfg).entrySet()) {
            boolean norm = e.getKey().contains("ln_") || e.getKey().contains("layernorm") || e.getKey().endsWith("norm.weight");
            float[] x = new float[(int) e.getValue().size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (norm && e.getKey().endsWith("weight") ? 1 + 0.1 * rnd.nextGaussian() : 0.4 * rnd.nextGaussian());
            }
            params.put(e.getKey(), m.create(x, e.getValue()));
        }
        return new DecoderLM(cfg, params);
    }

    /** Adapters with B random too (a trained state: B = 0 would leave the model unchanged and test nothing). */
    static sdpo4j.lm.lora.LoraAdapters adapters(DecoderLM base, NDManager m) {
        sdpo4j.lm.lora.LoraConfig cfg = sdpo4j.lm.lora.LoraConfig.builder().rank(3).alpha(5)
                .targets(List.of("q", "k", "v", "o", "gate", "up", "down")).build();
        sdpo4j.lm.lora.LoraAdapters a = sdpo4j.lm.lora.LoraAdapters.initialise(base, cfg, m, 17);
        Random rnd = new Random(18);
        for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
            if (e.getKey().endsWith("lora_B.weight")) {
                float[] b = new float[(int) e.getValue().getShape().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (0.3 * rnd.nextGaussian());
                }
                e.getValue().set(b);
            }
        }
        return a;
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        try (NDManager m = NDManager.newBaseManager()) {
            // Named cases only (default: all): regenerating one family leaves the others' files untouched.
            for (String name : args.length > 1 ? List.of(args).subList(1, args.length) : CASES) {
                Path dir = root.resolve(name);
                DecoderLM model = model(name, m);
                HfCheckpoint.save(model, dir, null);
                if (name.equals(LORA)) {
                    sdpo4j.lm.lora.PeftAdapters.save(adapters(model, m), dir.resolve("adapter"), "..");
                }
                Files.writeString(dir.resolve("inputs.json"),
                        new ObjectMapper().writeValueAsString(Map.of("ids", IDS, "mask", MASK)));
                System.out.println("wrote " + dir);
            }
        }
    }
}
