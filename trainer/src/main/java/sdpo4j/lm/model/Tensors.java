package sdpo4j.lm.model;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tensors a {@link DecoderSpec} and a config imply: names and shapes, in checkpoint order. */
final class Tensors {
    private final DecoderSpec spec;
    private final ModelConfig c;
    private final Map<String, Shape> shapes = new LinkedHashMap<>();

    private Tensors(DecoderSpec spec, ModelConfig c) {
        this.spec = spec;
        this.c = c;
    }

    static Map<String, Shape> shapes(DecoderSpec spec, ModelConfig c) {
        return new Tensors(spec, c).build();
    }

    private Map<String, Shape> build() {
        DecoderSpec.Names n = spec.names();
        long h = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long inner = c.intermediateSize();
        shapes.put(n.embedding(), new Shape(c.vocabSize(), h));
        if (spec.positions() instanceof DecoderSpec.Learned learned) {
            shapes.put(learned.table(), new Shape(c.maxPositions(), h));
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String p = n.layer(i);
            norm(p, n.inputNorm(), h);
            if (spec.fusedQkv()) {
                projection(p + n.qkv().get(0), h, q + 2 * kv, spec.qkvBias());
            } else {
                // All three weights, then the three biases: HuggingFace's order.
                long[] outs = {q, kv, kv};
                for (int j = 0; j < 3; j++) {
                    projection(p + n.qkv().get(j), h, outs[j], false);
                }
                for (int j = 0; spec.qkvBias() && j < 3; j++) {
                    shapes.put(p + n.qkv().get(j) + ".bias", new Shape(outs[j]));
                }
            }
            if (spec.qkNorm() != DecoderSpec.QkNorm.NONE) {
                boolean perHead = spec.qkNorm() == DecoderSpec.QkNorm.PER_HEAD;
                norm(p, n.qNorm(), perHead ? c.headDim() : q);
                norm(p, n.kNorm(), perHead ? c.headDim() : kv);
            }
            projection(p + n.out(), q, h, spec.outBias());
            norm(p, n.attnOutNorm(), h);
            norm(p, n.postNorm(), h);
            List<String> mlp = n.mlp();
            for (int j = 0; j < mlp.size(); j++) {
                boolean down = j == mlp.size() - 1;
                long up = spec.mlp() == DecoderSpec.Mlp.FUSED_GATED_SILU ? 2 * inner : inner;
                projection(p + mlp.get(j), down ? inner : h, down ? h : up, spec.mlpBias());
            }
            norm(p, n.mlpOutNorm(), h);
        }
        norm("", n.finalNorm(), h);
        if (!spec.tiedEmbeddings()) {
            shapes.put(n.head(), new Shape(c.vocabSize(), h));
        }
        return shapes;
    }

    /** The norm {@code prefix + stem} over {@code width} entries; none when the spec has none there (null stem). */
    private void norm(String prefix, String stem, long width) {
        if (stem == null) {
            return;
        }
        shapes.put(prefix + stem + ".weight", new Shape(width));
        if (spec.norm() == DecoderSpec.Norm.LAYER) {
            shapes.put(prefix + stem + ".bias", new Shape(width));
        }
    }

    private void projection(String stem, long in, long out, boolean bias) {
        shapes.put(stem + ".weight", spec.layout() == DecoderSpec.Layout.CONV1D ? new Shape(in, out) : new Shape(out, in));
        if (bias) {
            shapes.put(stem + ".bias", new Shape(out));
        }
    }
}
