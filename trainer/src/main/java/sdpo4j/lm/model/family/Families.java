package sdpo4j.lm.model.family;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import sdpo4j.lm.model.ConfigFields;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * The one place that lists the families: which reads a {@code config.json} (by its
 * {@code model_type}), writes one back and describes a config's blocks.
 */
public final class Families {
    /** The {@code model_type}s read. */
    public static final List<String> SUPPORTED = List.of("gpt2", "llama", "qwen2", "qwen3", "mistral", "gemma3_text", "gemma3", "olmo2",
            "phi3");

    private Families() {}

    public static ModelConfig parse(ConfigFields f) {
        String type = f.text("model_type");
        return switch (type) {
            case "gpt2" -> Gpt2.parse(type, f);
            case "llama", "qwen2" -> Llama.parse(type, f);
            case "qwen3" -> Qwen3.parse(type, f);
            case "mistral" -> Mistral.parse(type, f);
            case "gemma3_text" -> Gemma3.parse(type, f);
            case "olmo2" -> Olmo2.parse(type, f);
            case "phi3" -> Phi3.parse(type, f);
            // Gemma 3 from 4B up is released with its vision encoder: its text decoder runs.
            case "gemma3" -> Gemma3.parseTextTower(f);
            default -> throw new ModelException(f.file() + ": model_type '" + type + "' is not supported; supported: "
                    + String.join(", ", SUPPORTED) + " (GPT-2, Llama, Qwen2/Qwen2.5, SmolLM/SmolLM2, Qwen3, Mistral, Gemma 3 (text decoder), OLMo 2, Phi-3)");
        };
    }

    /** The family's own {@code config.json} fields of {@code c}, into {@code o}. */
    public static void write(ModelConfig c, ObjectNode o) {
        switch (c.architecture()) {
            case GPT2 -> Gpt2.write(c, o);
            case LLAMA -> Llama.write(c, o);
            case QWEN3 -> Qwen3.write(c, o);
            case MISTRAL -> Mistral.write(c, o);
            case GEMMA3 -> Gemma3.write(c, o);
            case OLMO2 -> Olmo2.write(c, o);
            case PHI3 -> Phi3.write(c, o);
        }
    }

    public static DecoderSpec describe(ModelConfig c) {
        return switch (c.architecture()) {
            case GPT2 -> Gpt2.describe(c);
            case LLAMA -> Llama.describe(c);
            case QWEN3 -> Qwen3.describe(c);
            case MISTRAL -> Mistral.describe(c);
            case GEMMA3 -> Gemma3.describe(c);
            case OLMO2 -> Olmo2.describe(c);
            case PHI3 -> Phi3.describe(c);
        };
    }
}
