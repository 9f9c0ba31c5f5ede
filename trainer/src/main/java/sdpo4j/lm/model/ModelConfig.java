package sdpo4j.lm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a decoder, read from a HuggingFace {@code config.json}. Covers the GPT-2 family
 * ({@code model_type: gpt2}) and the Llama family ({@code llama}, {@code qwen2}; SmolLM and
 * SmolLM2 are {@code llama}).
 *
 * @param architecture which family's blocks
 * @param modelType the config's own {@code model_type}, written back on save
 * @param vocabSize embedding rows
 * @param hiddenSize model width
 * @param numLayers decoder blocks
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when fewer than numHeads)
 * @param intermediateSize MLP width
 * @param maxPositions longest sequence (GPT-2's learned positions; RoPE models' nominal context)
 * @param normEps LayerNorm / RMSNorm epsilon
 * @param ropeTheta RoPE base
 * @param ropeScaling RoPE frequency scaling, or null
 * @param tieWordEmbeddings the output head shares the input embedding
 * @param qkvBias q/k/v projections have a bias (Qwen2, or Llama with attention_bias)
 * @param bosTokenId beginning-of-sequence id, or -1
 * @param eosTokenIds end-of-sequence ids (possibly several), possibly empty
 */
public record ModelConfig(
        Architecture architecture,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int intermediateSize,
        int maxPositions,
        double normEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        int bosTokenId,
        List<Integer> eosTokenIds) {

    public static final List<String> SUPPORTED = List.of("gpt2", "llama", "qwen2");

    /**
     * RoPE frequency scaling as HuggingFace configures it.
     *
     * @param type {@code linear} or {@code llama3}
     * @param factor scale factor
     * @param lowFreqFactor llama3 only
     * @param highFreqFactor llama3 only
     * @param originalMaxPositions llama3 only
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (hiddenSize % numHeads != 0) {
            throw new ModelException("hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (numHeads % numKvHeads != 0) {
            throw new ModelException(numHeads + " query heads are not a multiple of " + numKvHeads + " key/value heads");
        }
        // Fields are not assigned yet in a compact constructor: compute, do not call headDim().
        if (architecture == Architecture.LLAMA && (hiddenSize / numHeads) % 2 != 0) {
            throw new ModelException("RoPE needs an even head dimension, got " + hiddenSize / numHeads);
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Reads {@code dir/config.json}. */
    public static ModelConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelException(dir + ": no config.json (a HuggingFace model directory has config.json, "
                    + "model.safetensors or its shards, and tokenizer.json)");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), root);
    }

    static ModelConfig parse(String file, JsonNode root) {
        Fields f = new Fields(file, root);
        String type = f.text("model_type");
        switch (type) {
            case "gpt2" -> {
                int hidden = f.integer("n_embd");
                int heads = f.integer("n_head");
                String act = f.optText("activation_function", "gelu_new");
                if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
                    throw new ModelException(file + ": activation_function '" + act + "' is not supported; allowed: gelu_new");
                }
                return new ModelConfig(Architecture.GPT2, type, f.integer("vocab_size"), hidden, f.integer("n_layer"),
                        heads, heads, f.optInteger("n_inner", 4 * hidden), f.integer("n_positions"),
                        f.optNumber("layer_norm_epsilon", 1e-5), 0, null, f.optBoolean("tie_word_embeddings", true),
                        true, f.optInteger("bos_token_id", -1), f.ids("eos_token_id"));
            }
            case "llama", "qwen2" -> {
                int heads = f.integer("num_attention_heads");
                String act = f.optText("hidden_act", "silu");
                if (!act.equals("silu")) {
                    throw new ModelException(file + ": hidden_act '" + act + "' is not supported; allowed: silu");
                }
                boolean bias = type.equals("qwen2") || f.optBoolean("attention_bias", false);
                return new ModelConfig(Architecture.LLAMA, type, f.integer("vocab_size"), f.integer("hidden_size"),
                        f.integer("num_hidden_layers"), heads, f.optInteger("num_key_value_heads", heads),
                        f.integer("intermediate_size"), f.optInteger("max_position_embeddings", 2048),
                        f.optNumber("rms_norm_eps", 1e-6), f.optNumber("rope_theta", 10000.0), f.ropeScaling(),
                        f.optBoolean("tie_word_embeddings", false), bias, f.optInteger("bos_token_id", -1),
                        f.ids("eos_token_id"));
            }
            default -> throw new ModelException(file + ": model_type '" + type + "' is not supported; supported: "
                    + String.join(", ", SUPPORTED) + " (GPT-2, Llama, Qwen2/Qwen2.5, SmolLM/SmolLM2)");
        }
    }

    /** The config as a HuggingFace {@code config.json} that this reader and HF tools read back. */
    public String toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        if (architecture == Architecture.GPT2) {
            o.putArray("architectures").add("GPT2LMHeadModel");
            o.put("n_embd", hiddenSize);
            o.put("n_layer", numLayers);
            o.put("n_head", numHeads);
            o.put("n_inner", intermediateSize);
            o.put("n_positions", maxPositions);
            o.put("n_ctx", maxPositions);
            o.put("layer_norm_epsilon", normEps);
            o.put("activation_function", "gelu_new");
        } else {
            o.putArray("architectures").add(modelType.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
            o.put("hidden_size", hiddenSize);
            o.put("num_hidden_layers", numLayers);
            o.put("num_attention_heads", numHeads);
            o.put("num_key_value_heads", numKvHeads);
            o.put("intermediate_size", intermediateSize);
            o.put("max_position_embeddings", maxPositions);
            o.put("rms_norm_eps", normEps);
            o.put("rope_theta", ropeTheta);
            o.put("hidden_act", "silu");
            if (!modelType.equals("qwen2")) {
                o.put("attention_bias", qkvBias);
            }
            if (ropeScaling != null) {
                ObjectNode rs = o.putObject("rope_scaling");
                rs.put("rope_type", ropeScaling.type());
                rs.put("factor", ropeScaling.factor());
                if (ropeScaling.type().equals("llama3")) {
                    rs.put("low_freq_factor", ropeScaling.lowFreqFactor());
                    rs.put("high_freq_factor", ropeScaling.highFreqFactor());
                    rs.put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
                }
            }
        }
        o.put("tie_word_embeddings", tieWordEmbeddings);
        o.put("torch_dtype", "float32");
        if (bosTokenId >= 0) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            o.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            var arr = o.putArray("eos_token_id");
            eosTokenIds.forEach(arr::add);
        }
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Typed access to config.json fields with errors that name the file and field. */
    private record Fields(String file, JsonNode root) {
        JsonNode need(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                throw new ModelException(file + ": missing field '" + key + "'");
            }
            return n;
        }

        String text(String key) {
            JsonNode n = need(key);
            if (!n.isTextual()) {
                throw new ModelException(file + ": field '" + key + "' must be text, got " + n);
            }
            return n.asText();
        }

        String optText(String key, String dflt) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? dflt : n.asText();
        }

        int integer(String key) {
            JsonNode n = need(key);
            if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > Integer.MAX_VALUE) {
                throw new ModelException(file + ": field '" + key + "' must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        int optInteger(String key, int dflt) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? dflt : integer(key);
        }

        double optNumber(String key, double dflt) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.isNumber()) {
                throw new ModelException(file + ": field '" + key + "' must be a number, got " + n);
            }
            return n.asDouble();
        }

        boolean optBoolean(String key, boolean dflt) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? dflt : n.asBoolean();
        }

        List<Integer> ids(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                return List.of();
            }
            if (n.isArray()) {
                List<Integer> ids = new java.util.ArrayList<>();
                n.forEach(x -> ids.add(x.asInt()));
                return ids;
            }
            return List.of(n.asInt());
        }

        RopeScaling ropeScaling() {
            JsonNode n = root.get("rope_scaling");
            if (n == null || n.isNull()) {
                return null;
            }
            String type = n.has("rope_type") ? n.get("rope_type").asText() : n.path("type").asText("");
            type = type.toLowerCase(Locale.ROOT);
            if (type.equals("default")) {
                return null;
            }
            if (!type.equals("linear") && !type.equals("llama3")) {
                throw new ModelException(file + ": rope_scaling type '" + type + "' is not supported; allowed: linear, llama3");
            }
            return new RopeScaling(type, n.path("factor").asDouble(1.0), n.path("low_freq_factor").asDouble(1.0),
                    n.path("high_freq_factor").asDouble(4.0), n.path("original_max_position_embeddings").asInt(8192));
        }
    }
}
