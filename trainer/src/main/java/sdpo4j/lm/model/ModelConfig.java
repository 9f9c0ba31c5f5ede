package sdpo4j.lm.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import sdpo4j.lm.model.family.Families;

/**
 * The shape of a decoder, read from a HuggingFace {@code config.json} by its family's file in
 * {@code sdpo4j.lm.model.family} ({@code Families} lists them).
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
 * @param qkvBias q/k/v projections have a bias (Qwen2), or q/k/v and o do ({@code attention_bias} of the other RoPE families)
 * @param bosTokenId beginning-of-sequence id, or -1
 * @param eosTokenIds end-of-sequence ids (possibly several), possibly empty
 * @param variant what newer families set beyond these fields ({@link Variant#NONE} for GPT-2 and Llama)
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
        List<Integer> eosTokenIds,
        Variant variant) {

    /**
     * The config fields of the newer families (Qwen3, Mistral, Gemma 3, OLMo 2, Phi-3), each with
     * a value meaning "as Llama".
     *
     * @param headDim width of one head, or 0 for hiddenSize / numHeads (Qwen3 and Gemma 3 set it apart)
     * @param slidingWindow a sliding layer's query sees the keys less than this many positions
     *     before it (itself included), or 0 for no sliding layer
     * @param slidingLayers which layers slide (Gemma 3 alternates), or empty for all when
     *     slidingWindow is set
     * @param localRopeTheta RoPE base of the sliding layers (Gemma 3, unscaled), or 0 for ropeTheta
     * @param queryPreAttnScalar attention scores are scaled by its inverse square root instead
     *     of headDim's, or 0
     * @param attnSoftcap attention scores are {@code cap * tanh(score / cap)}, or 0 for none
     * @param finalSoftcap logits are {@code cap * tanh(logit / cap)}, or 0 for none
     */
    public record Variant(int headDim, int slidingWindow, List<Boolean> slidingLayers, double localRopeTheta,
            double queryPreAttnScalar, double attnSoftcap, double finalSoftcap) {
        public static final Variant NONE = new Variant(0, 0, List.of(), 0, 0, 0, 0);

        public Variant {
            slidingLayers = List.copyOf(slidingLayers);
        }
    }

    /** A config without the newer families' fields ({@link Variant#NONE}). */
    public ModelConfig(Architecture architecture, String modelType, int vocabSize, int hiddenSize, int numLayers,
            int numHeads, int numKvHeads, int intermediateSize, int maxPositions, double normEps, double ropeTheta,
            RopeScaling ropeScaling, boolean tieWordEmbeddings, boolean qkvBias, int bosTokenId, List<Integer> eosTokenIds) {
        this(architecture, modelType, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, normEps, ropeTheta, ropeScaling, tieWordEmbeddings, qkvBias, bosTokenId, eosTokenIds, Variant.NONE);
    }

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
        if (variant.headDim() == 0 && hiddenSize % numHeads != 0) {
            throw new ModelException("hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (numHeads % numKvHeads != 0) {
            throw new ModelException(numHeads + " query heads are not a multiple of " + numKvHeads + " key/value heads");
        }
        // Fields are not assigned yet in a compact constructor: compute, do not call headDim().
        int d = variant.headDim() > 0 ? variant.headDim() : hiddenSize / numHeads;
        if (architecture != Architecture.GPT2 && d % 2 != 0) {
            throw new ModelException("RoPE needs an even head dimension, got " + d);
        }
        if (!variant.slidingLayers().isEmpty() && variant.slidingLayers().size() != numLayers) {
            throw new ModelException(variant.slidingLayers().size() + " layer types for " + numLayers + " layers");
        }
    }

    public int headDim() {
        return variant.headDim() > 0 ? variant.headDim() : hiddenSize / numHeads;
    }

    /** Whether layer {@code i} attends through the sliding window. */
    public boolean sliding(int i) {
        return variant.slidingWindow() > 0 && (variant.slidingLayers().isEmpty() || variant.slidingLayers().get(i));
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
        return Families.parse(new ConfigFields(file.toString(), root));
    }

    /** The config as a HuggingFace {@code config.json} that this reader and HF tools read back. */
    public String toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        Families.write(this, o);
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
}
