package sdpo4j.bench;

import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.family.Families;

/**
 * Arithmetic of a decoder per token, from its config: what a throughput is compared against.
 *
 * <p>A token's forward pass multiplies it by every projection matrix once (2 FLOPs per weight):
 * every 2-D tensor of the checkpoint except the lookup tables (the token embedding, GPT-2's learned
 * positions), plus the output head, which is the embedding matrix again when the two are tied.
 * Attention adds, per layer, the scores {@code q . k} and the weighted sum of values over the
 * sequence: {@code 2 * 2 * heads * headDim * seq}, counted over the whole {@code seq x seq} score
 * matrix because that is what a masked training pass computes. Norms, biases, activations and
 * softmaxes are left out (a fraction of a percent at these widths). Training is the forward and a
 * backward of twice its cost (gradients of activations and of weights): 3x.
 *
 * @param matmulWeights weights a token is multiplied by (lookups excluded, a tied head counted as a head)
 * @param layers decoder layers
 * @param attentionWidth {@code heads * headDim}: the width of queries (and of the attended values)
 */
public record Flops(long matmulWeights, int layers, long attentionWidth) {

    public static Flops of(ModelConfig c) {
        DecoderSpec spec = Families.describe(c);
        Set<String> lookups = new HashSet<>();
        lookups.add(spec.names().embedding());
        if (spec.positions() instanceof DecoderSpec.Learned learned) {
            lookups.add(learned.table());
        }
        long weights = 0;
        for (Map.Entry<String, Shape> e : DecoderLM.expectedShapes(c).entrySet()) {
            if (e.getValue().dimension() == 2 && !lookups.contains(e.getKey())) {
                weights += e.getValue().size();
            }
        }
        if (spec.tiedEmbeddings()) {
            weights += (long) c.vocabSize() * c.hiddenSize();
        }
        return new Flops(weights, c.numLayers(), (long) c.numHeads() * c.headDim());
    }

    /** FLOPs of one token's forward pass in a sequence of {@code seq} tokens. */
    public double forwardPerToken(int seq) {
        return 2.0 * matmulWeights + 4.0 * layers * attentionWidth * seq;
    }

    /** FLOPs of one token's forward and backward pass (3x the forward). */
    public double trainingPerToken(int seq) {
        return 3 * forwardPerToken(seq);
    }

    /**
     * Bytes of weights one decoding step at batch 1 must read: every projection matrix once, at
     * {@code bytesPerWeight} (4: the engine holds weights in fp32). The embedding lookup reads one
     * row, left out; so are the KV cache's few kilobytes at short contexts.
     */
    public double weightBytesPerToken(int bytesPerWeight) {
        return (double) matmulWeights * bytesPerWeight;
    }
}
