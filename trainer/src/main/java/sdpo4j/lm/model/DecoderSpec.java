package sdpo4j.lm.model;

import java.util.List;

/**
 * What a decoder family is made of, as data. {@link DecoderLM} has one block implementation that
 * reads this; a family ({@code sdpo4j.lm.model.family}) maps its {@code config.json} and its
 * HuggingFace tensor names to one of these. A block is attention then MLP, each added to the
 * residual; each may have a norm on its input ({@link Names#inputNorm}, {@link Names#postNorm}:
 * pre-norm, GPT-2 and Llama) and one on its output ({@link Names#attnOutNorm},
 * {@link Names#mlpOutNorm}: OLMo 2 has only these, Gemma 3 both); a final norm follows the last block.
 *
 * @param norm LayerNorm or RMSNorm, for every norm
 * @param layout how projection weights are stored
 * @param fusedQkv q, k and v come from one projection ({@link Names#qkv} has one name) instead of three
 * @param qkvBias the q/k/v projections have biases
 * @param outBias the attention output projection has a bias
 * @param mlp the MLP kind
 * @param mlpBias the MLP projections have biases
 * @param positions learned absolute positions or RoPE
 * @param tiedEmbeddings the output head is the input embedding (no separate head tensor)
 * @param names the tensor names
 * @param qkNorm a norm on q and k before RoPE, or none
 * @param scaledEmbedding the token embedding is multiplied by sqrt(hidden size) (Gemma)
 * @param attention how each layer's attention scores are made
 * @param logitSoftcap logits are {@code cap * tanh(logit / cap)}, or 0 for none
 */
public record DecoderSpec(
        Norm norm,
        Layout layout,
        boolean fusedQkv,
        boolean qkvBias,
        boolean outBias,
        Mlp mlp,
        boolean mlpBias,
        Positions positions,
        boolean tiedEmbeddings,
        Names names,
        QkNorm qkNorm,
        boolean scaledEmbedding,
        Attention attention,
        double logitSoftcap) {

    /** A plain pre-norm decoder (GPT-2, Llama): no q/k norm, no embedding scale, {@link Attention#PLAIN}, no soft-cap. */
    public DecoderSpec(Norm norm, Layout layout, boolean fusedQkv, boolean qkvBias, boolean outBias, Mlp mlp, boolean mlpBias,
            Positions positions, boolean tiedEmbeddings, Names names) {
        this(norm, layout, fusedQkv, qkvBias, outBias, mlp, mlpBias, positions, tiedEmbeddings, names, QkNorm.NONE, false,
                Attention.PLAIN, 0);
    }

    public enum Norm {
        /** {@code (x - mean) / sqrt(var + eps) * weight + bias}: tensors {@code NAME.weight}, {@code NAME.bias}. */
        LAYER,
        /** {@code x / sqrt(mean(x^2) + eps) * weight}: tensor {@code NAME.weight}. */
        RMS,
        /** {@code x / sqrt(mean(x^2) + eps) * (1 + weight)} (Gemma): tensor {@code NAME.weight}, zero at initialisation. */
        RMS_PLUS_ONE
    }

    /** A norm of q and k after their projections, before RoPE, with the spec's norm kind. */
    public enum QkNorm {
        NONE,
        /** Over each head's D entries, one weight {@code [D]} shared by the heads (Qwen3, Gemma 3). */
        PER_HEAD,
        /** Over the whole projection, weights {@code [heads * D]} and {@code [kvHeads * D]} (OLMo 2). */
        WHOLE
    }

    /**
     * How attention scores are made.
     *
     * @param scale the score scale, or 0 for 1/sqrt(head dimension)
     * @param softcap scores are {@code cap * tanh(score / cap)} before the mask, or 0 for none
     * @param window a sliding layer's query sees keys whose position is less than this many before
     *     its own (itself included), or 0 for none
     * @param sliding which layers slide; empty for all when {@code window} is set
     * @param localPositions RoPE of the sliding layers, or null for the model's {@link #positions}
     */
    public record Attention(double scale, double softcap, int window, List<Boolean> sliding, Rotary localPositions) {
        public static final Attention PLAIN = new Attention(0, 0, 0, List.of(), null);

        public Attention {
            sliding = List.copyOf(sliding);
        }

        /** Whether layer {@code i} attends through the window. */
        public boolean slides(int i) {
            return window > 0 && (sliding.isEmpty() || sliding.get(i));
        }
    }

    public enum Layout {
        /** {@code [in, out]}, applied as {@code x W + b} (GPT-2's Conv1D). */
        CONV1D,
        /** {@code [out, in]}, applied as {@code x W^T + b} (torch's Linear). */
        LINEAR
    }

    public enum Mlp {
        /** {@code down(gelu_tanh(up(x)))}: names up, down. */
        GELU_TANH,
        /** {@code down(silu(gate(x)) * up(x))}: names gate, up, down. */
        GATED_SILU,
        /** {@code down(gelu_tanh(gate(x)) * up(x))} (Gemma's GeGLU): names gate, up, down. */
        GATED_GELU_TANH,
        /** {@link #GATED_SILU} with gate and up in one projection, gate first (Phi-3): names gate_up, down. */
        FUSED_GATED_SILU;

        /** How many projection names this MLP has. */
        int projections() {
            return this == GELU_TANH || this == FUSED_GATED_SILU ? 2 : 3;
        }
    }

    /** How a token's position enters the model. */
    public sealed interface Positions permits Learned, Rotary {}

    /** A learned table {@code [maxPositions, H]} added to the token embedding. */
    public record Learned(String table) implements Positions {}

    /**
     * RoPE on q and k (HuggingFace's rotate_half convention: the two halves of each head rotate together).
     *
     * @param theta the base
     * @param scaling frequency scaling, or null
     */
    public record Rotary(double theta, ModelConfig.RopeScaling scaling) implements Positions {}

    /**
     * HuggingFace tensor names. Norm and projection names are stems: the tensors are
     * {@code STEM.weight} and, where the spec has biases, {@code STEM.bias}. Per-layer names are
     * relative to {@link #layer(int)}.
     *
     * @param embedding the token embedding {@code [V, H]}
     * @param head the untied output head {@code [V, H]}
     * @param finalNorm the norm after the last block
     * @param layers the prefix of block i's tensors, followed by {@code i.}
     * @param inputNorm the norm before attention, or null
     * @param qkv the fused q/k/v projection, or the q, k and v projections
     * @param out the attention output projection
     * @param postNorm the norm before the MLP (Llama's {@code post_attention_layernorm}), or null
     * @param mlp the MLP's projections ({@link Mlp})
     * @param optionalPrefix a prefix that some checkpoints leave off every tensor but the head ("" if none)
     * @param buffers name endings of checkpoint tensors that are buffers, not weights (skipped on load)
     * @param qNorm the norm of q ({@link QkNorm}), or null
     * @param kNorm the norm of k, or null
     * @param attnOutNorm the norm of the attention output before the residual, or null
     * @param mlpOutNorm the norm of the MLP output before the residual, or null
     */
    public record Names(String embedding, String head, String finalNorm, String layers, String inputNorm, List<String> qkv,
            String out, String postNorm, List<String> mlp, String optionalPrefix, List<String> buffers, String qNorm,
            String kNorm, String attnOutNorm, String mlpOutNorm) {
        public Names {
            qkv = List.copyOf(qkv);
            mlp = List.copyOf(mlp);
            buffers = List.copyOf(buffers);
        }

        /** Names of a pre-norm decoder: no q/k norms, no norms on the outputs. */
        public Names(String embedding, String head, String finalNorm, String layers, String inputNorm, List<String> qkv,
                String out, String postNorm, List<String> mlp, String optionalPrefix, List<String> buffers) {
            this(embedding, head, finalNorm, layers, inputNorm, qkv, out, postNorm, mlp, optionalPrefix, buffers, null, null,
                    null, null);
        }

        /** Block {@code i}'s prefix, e.g. {@code model.layers.3.}. */
        public String layer(int i) {
            return layers + i + ".";
        }

        /** Whether {@code name} is a norm's weight. */
        boolean isNormWeight(String name) {
            if (name.equals(finalNorm + ".weight")) {
                return true;
            }
            if (!name.startsWith(layers)) {
                return false;
            }
            for (String stem : new String[] {inputNorm, postNorm, qNorm, kNorm, attnOutNorm, mlpOutNorm}) {
                if (stem != null && name.endsWith("." + stem + ".weight")) {
                    return true;
                }
            }
            return false;
        }
    }

    public DecoderSpec {
        if (names.qkv().size() != (fusedQkv ? 1 : 3)) {
            throw new ModelException("q/k/v names " + names.qkv() + " for " + (fusedQkv ? "a fused projection" : "three projections"));
        }
        if (names.mlp().size() != mlp.projections()) {
            throw new ModelException("MLP names " + names.mlp() + " for " + mlp);
        }
        if ((qkNorm != QkNorm.NONE) != (names.qNorm() != null && names.kNorm() != null)) {
            throw new ModelException("q/k norm names " + names.qNorm() + ", " + names.kNorm() + " for " + qkNorm);
        }
        if (!attention.sliding().isEmpty() && attention.window() == 0) {
            throw new ModelException("sliding layers without a window");
        }
    }

    /** The positions of layer {@code i}: its own RoPE if it slides and the spec has one for sliding layers. */
    public Positions positions(int i) {
        return attention.localPositions() != null && attention.slides(i) ? attention.localPositions() : positions;
    }

    /**
     * Whether a cached pass may fold the input RMSNorm and the 1/sqrt(D) score scale into one q/k/v
     * weight (see {@link DecoderLM}'s speed notes): a plain pre-norm block (RMSNorm before attention and
     * MLP, none on their outputs, no q/k norm, the default score scale) with separate q, k, v stored
     * {@code [out, in]}. Other specs run the same block without the fold.
     */
    boolean foldsDecoding() {
        return norm == Norm.RMS && layout == Layout.LINEAR && !fusedQkv && qkNorm == QkNorm.NONE
                && names.inputNorm() != null && names.postNorm() != null && names.attnOutNorm() == null
                && names.mlpOutNorm() == null && attention.scale() == 0 && attention.localPositions() == null;
    }
}
