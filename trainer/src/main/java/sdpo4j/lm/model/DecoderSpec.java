package sdpo4j.lm.model;

import java.util.List;

/**
 * What a decoder family is made of, as data. {@link DecoderLM} has one block implementation that
 * reads this; a family ({@code sdpo4j.lm.model.family}) maps its {@code config.json} and its
 * HuggingFace tensor names to one of these. Every block is pre-norm: a norm before attention,
 * one before the MLP, a residual around each, and a final norm after the last block.
 *
 * @param norm LayerNorm or RMSNorm, for all three norms
 * @param layout how projection weights are stored
 * @param fusedQkv q, k and v come from one projection ({@link Names#qkv} has one name) instead of three
 * @param qkvBias the q/k/v projections have biases
 * @param outBias the attention output projection has a bias
 * @param mlp the MLP kind
 * @param mlpBias the MLP projections have biases
 * @param positions learned absolute positions or RoPE
 * @param tiedEmbeddings the output head is the input embedding (no separate head tensor)
 * @param names the tensor names
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
        Names names) {

    public enum Norm {
        /** {@code (x - mean) / sqrt(var + eps) * weight + bias}: tensors {@code NAME.weight}, {@code NAME.bias}. */
        LAYER,
        /** {@code x / sqrt(mean(x^2) + eps) * weight}: tensor {@code NAME.weight}. */
        RMS
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
        GATED_SILU
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
     * @param inputNorm the norm before attention
     * @param qkv the fused q/k/v projection, or the q, k and v projections
     * @param out the attention output projection
     * @param postNorm the norm before the MLP
     * @param mlp up and down ({@link Mlp#GELU_TANH}) or gate, up and down ({@link Mlp#GATED_SILU})
     * @param optionalPrefix a prefix that some checkpoints leave off every tensor but the head ("" if none)
     * @param buffers name endings of checkpoint tensors that are buffers, not weights (skipped on load)
     */
    public record Names(String embedding, String head, String finalNorm, String layers, String inputNorm, List<String> qkv,
            String out, String postNorm, List<String> mlp, String optionalPrefix, List<String> buffers) {
        public Names {
            qkv = List.copyOf(qkv);
            mlp = List.copyOf(mlp);
            buffers = List.copyOf(buffers);
        }

        /** Block {@code i}'s prefix, e.g. {@code model.layers.3.}. */
        public String layer(int i) {
            return layers + i + ".";
        }

        /** Whether {@code name} is a norm's weight (initialised to 1). */
        boolean isNormWeight(String name) {
            return name.equals(finalNorm + ".weight") || name.startsWith(layers)
                    && (name.endsWith("." + inputNorm + ".weight") || name.endsWith("." + postNorm + ".weight"));
        }
    }

    public DecoderSpec {
        if (names.qkv().size() != (fusedQkv ? 1 : 3)) {
            throw new ModelException("q/k/v names " + names.qkv() + " for " + (fusedQkv ? "a fused projection" : "three projections"));
        }
        if (names.mlp().size() != (mlp == Mlp.GATED_SILU ? 3 : 2)) {
            throw new ModelException("MLP names " + names.mlp() + " for " + mlp);
        }
    }

    /**
     * Whether a cached pass may fold the input RMSNorm and the 1/sqrt(D) score scale into one q/k/v
     * weight (see {@link DecoderLM}'s speed notes): RMSNorm and separate q, k, v stored {@code [out, in]}.
     * Other specs run the same block without the fold.
     */
    boolean foldsDecoding() {
        return norm == Norm.RMS && layout == Layout.LINEAR && !fusedQkv;
    }
}
