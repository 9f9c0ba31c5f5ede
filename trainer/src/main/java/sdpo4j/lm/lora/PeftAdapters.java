package sdpo4j.lm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.weights.Safetensors;
import sdpo4j.lm.weights.TensorInfo;
import sdpo4j.run.AtomicFiles;

/**
 * Adapters as HuggingFace PEFT saves a LoRA model: {@code adapter_config.json} (peft_type LORA,
 * r, lora_alpha, lora_dropout, target_modules, ...) and {@code adapter_model.safetensors} with
 * tensors {@code base_model.model.<stem>.lora_A.weight} {@code [r, in]} and {@code ...lora_B.weight}
 * {@code [out, r]}. What is read back must be plain LoRA on this code's targets: DoRA, rsLoRA,
 * per-module ranks, biases and extra saved modules are refused by name.
 */
public final class PeftAdapters {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapters() {}

    /**
     * Writes {@code adapters} to {@code dir}, complete or not at all (written beside it and
     * renamed into place).
     *
     * @param baseModel what {@code base_model_name_or_path} records
     */
    public static void save(LoraAdapters adapters, Path dir, String baseModel) {
        Path target = dir.toAbsolutePath();
        try {
            AtomicFiles.writeDirectory(target, tmp -> {
                AtomicFiles.writeString(tmp.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                        config(adapters, baseModel)));
                Map<String, NDArray> named = new LinkedHashMap<>();
                adapters.parameters().forEach((k, v) -> named.put(PREFIX + k, v));
                Safetensors.write(tmp.resolve(WEIGHTS), named, Map.of("format", "pt"));
            });
        } catch (IOException e) {
            throw new ModelException("cannot save the adapters to " + target + ": " + e.getMessage());
        }
    }

    private static ObjectNode config(LoraAdapters a, String baseModel) {
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", a.rank());
        c.put("lora_alpha", a.alpha());
        c.put("lora_dropout", a.dropout());
        ArrayNode modules = c.putArray("target_modules");
        new java.util.LinkedHashSet<>(a.stems().stream().map(LoraTargets::lastPart).toList()).forEach(modules::add);
        c.put("bias", "none");
        c.put("fan_in_fan_out", a.weightDeltaTransposed());
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.put("use_rslora", false);
        c.put("use_dora", false);
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        c.putNull("modules_to_save");
        c.putNull("layers_to_transform");
        c.putNull("layers_pattern");
        c.putNull("revision");
        return c;
    }

    /** Reads adapters saved by PEFT (or {@link #save}) for {@code base}, their arrays on {@code manager}. */
    public static LoraAdapters load(DecoderLM base, Path dir, NDManager manager) {
        Path configFile = dir.resolve(CONFIG);
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(weights)) {
            throw new ModelException(dir + ": not a PEFT adapter directory (needs " + CONFIG + " and " + WEIGHTS + ")");
        }
        JsonNode c;
        try {
            c = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new ModelException(configFile + ": unreadable JSON (" + e.getMessage() + ")");
        }
        String where = configFile.toString();
        require(c, "peft_type", "LORA", where);
        refuseTrue(c, "use_dora", where);
        refuseTrue(c, "use_rslora", where);
        if (c.has("bias") && !"none".equals(c.get("bias").asText())) {
            throw new ModelException(where + ": bias is " + c.get("bias") + "; only \"none\" is supported");
        }
        for (String key : List.of("rank_pattern", "alpha_pattern")) {
            if (c.has(key) && c.get(key).size() > 0) {
                throw new ModelException(where + ": " + key + " " + c.get(key) + " is not supported (one rank and alpha for "
                        + "every module)");
            }
        }
        if (c.hasNonNull("modules_to_save")) {
            throw new ModelException(where + ": modules_to_save " + c.get("modules_to_save") + " is not supported");
        }
        int rank = positiveInt(c, "r", where);
        double alpha = c.path("lora_alpha").asDouble(Double.NaN);
        if (!(alpha > 0)) {
            throw new ModelException(where + ": lora_alpha is " + c.get("lora_alpha") + "; expected a number > 0");
        }
        double dropout = c.path("lora_dropout").asDouble(0);
        JsonNode modules = c.get("target_modules");
        if (modules == null || !modules.isArray() || modules.isEmpty()) {
            throw new ModelException(where + ": target_modules is " + modules + "; expected a list of module names "
                    + "(a regular expression or \"all-linear\" is not supported)");
        }
        List<String> peftModules = new ArrayList<>();
        modules.forEach(m -> peftModules.add(m.asText()));
        List<String> targets;
        try {
            targets = LoraTargets.fromPeft(base.config(), peftModules, where);
        } catch (sdpo4j.config.ConfigException e) {
            throw new ModelException(e.getMessage());
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, TensorInfo> e : Safetensors.readHeader(weights).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(PREFIX)) {
                throw new ModelException(weights + ": tensor " + name + " does not start with " + PREFIX);
            }
            arrays.put(name.substring(PREFIX.length()), Safetensors.load(manager, weights, e.getValue()));
        }
        return LoraAdapters.of(base, rank, alpha, dropout, targets, arrays, manager, weights.toString());
    }

    private static void require(JsonNode c, String key, String value, String where) {
        if (!value.equals(c.path(key).asText(null))) {
            throw new ModelException(where + ": " + key + " is " + c.get(key) + "; expected \"" + value + "\"");
        }
    }

    private static void refuseTrue(JsonNode c, String key, String where) {
        if (c.path(key).asBoolean(false)) {
            throw new ModelException(where + ": " + key + " is true; only plain LoRA is supported");
        }
    }

    private static int positiveInt(JsonNode c, String key, String where) {
        JsonNode n = c.get(key);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new ModelException(where + ": " + key + " is " + n + "; expected an integer > 0");
        }
        return n.asInt();
    }
}
