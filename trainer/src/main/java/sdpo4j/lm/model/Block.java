package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The decoder block of every family, built as its {@link DecoderSpec} says: attention (grouped-query
 * heads, the KV cache, RoPE or none, q/k norms, a sliding window on some layers) and the MLP, each
 * with its norms before or after and added to the residual.
 * One implementation serves full passes (scoring, training), a generation's prefill and its
 * decoding steps; what differs between those is in {@link Pass}.
 */
final class Block {
    private final DecoderLM model;
    private final ModelConfig cfg;
    private final DecoderSpec spec;
    private final DecoderSpec.Names names;

    Block(DecoderLM model, DecoderSpec spec) {
        this.model = model;
        this.cfg = model.config();
        this.spec = spec;
        this.names = spec.names();
    }

    /**
     * What every layer of one forward pass shares.
     *
     * @param mask the additive attention mask, or null when nothing is masked
     * @param localMask the mask of sliding layers (the window added), or {@code mask} when no key is out of the window
     * @param cache keys and values of earlier positions (appended to), or null
     * @param folded q/k/v come from the cache's fused weights ({@link #fusedQkv}), which read
     *     {@link Norms#unit} and give q already scaled by 1/sqrt(D)
     * @param step one new token per sequence after the cached ones (a decoding step)
     * @param rope RoPE's cos and sin, each {@code [B, L, 1, D]}, or {@code [B, heads + 2 kvHeads, 1, D]}
     *     for a folded step (v heads unrotated); null without RoPE
     * @param column {@link Norms#column} of a folded pass
     * @param localRope RoPE's cos and sin of the sliding layers when they have their own base, else null
     */
    record Pass(NDArray mask, NDArray localMask, KvCache cache, boolean folded, boolean step, NDList rope, NDArray column,
            NDList localRope) {
        /** A folded step takes every norm as {@link Norms#unit} times a weight the cache holds. */
        boolean unitNorms() {
            return folded && step;
        }
    }

    /** Block {@code i} on {@code x} {@code [B, L, H]}. */
    NDArray apply(int i, NDArray x, Pass s) {
        String p = names.layer(i);
        NDList qkv = s.folded() ? foldedQkv(i, x, s) : qkv(i, p, optionalNorm(x, p, names.inputNorm()), s);
        NDArray a = project(attention(i, qkv.get(0), qkv.get(1), qkv.get(2), s), p + names.out(), spec.outBias());
        x = x.add(optionalNorm(a, p, names.attnOutNorm()));
        NDArray h = s.unitNorms() ? Norms.leading(Norms.unit(x, s.column()), cfg.hiddenSize()).mul(fused(i, s).get(1))
                : optionalNorm(x, p, names.postNorm());
        return x.add(optionalNorm(mlp(p, h), p, names.mlpOutNorm()));
    }

    /** The norm {@code p + stem} of {@code x}, or {@code x} when the spec has no norm there (null stem). */
    private NDArray optionalNorm(NDArray x, String p, String stem) {
        return stem == null ? x : norm(x, p + stem);
    }

    /** The spec's norm of {@code x} over its last axis with the weights of {@code stem}. */
    NDArray norm(NDArray x, String stem) {
        return switch (spec.norm()) {
            case LAYER -> Norms.layer(x, model.p(stem + ".weight"), model.p(stem + ".bias"), cfg);
            case RMS -> Norms.rms(x, model.p(stem + ".weight"), model.constants());
            case RMS_PLUS_ONE -> Norms.rms(x, model.p(stem + ".weight").add(model.constants().one), model.constants());
        };
    }

    /** q {@code [B, heads, L, D]}, k and v {@code [B, kvHeads, L, D]} of layer {@code i} from the normed input {@code h}. */
    private NDList qkv(int i, String p, NDArray h, Pass s) {
        int nh = cfg.numHeads();
        int nkv = cfg.numKvHeads();
        int d = cfg.headDim();
        NDArray q;
        NDArray k;
        NDArray v;
        if (spec.fusedQkv()) {
            NDList parts = project(h, p + names.qkv().get(0), spec.qkvBias()).split(new long[] {(long) nh * d, (long) (nh + nkv) * d}, 2);
            q = parts.get(0);
            k = parts.get(1);
            v = parts.get(2);
        } else {
            q = project(h, p + names.qkv().get(0), spec.qkvBias());
            k = project(h, p + names.qkv().get(1), spec.qkvBias());
            v = project(h, p + names.qkv().get(2), spec.qkvBias());
        }
        if (spec.qkNorm() == DecoderSpec.QkNorm.WHOLE) {
            q = norm(q, p + names.qNorm());
            k = norm(k, p + names.kNorm());
        }
        q = heads(q, nh);
        k = heads(k, nkv);
        if (spec.qkNorm() == DecoderSpec.QkNorm.PER_HEAD) {
            q = norm(q, p + names.qNorm());
            k = norm(k, p + names.kNorm());
        }
        NDList rope = s.localRope() != null && spec.attention().slides(i) ? s.localRope() : s.rope();
        return new NDList(rotate(q, rope).transpose(0, 2, 1, 3), rotate(k, rope).transpose(0, 2, 1, 3),
                heads(v, nkv).transpose(0, 2, 1, 3));
    }

    /** q/k/v as {@link #qkv} on the cache's fused weights, from the block input (the norm is folded in). */
    private NDList foldedQkv(int i, NDArray x, Pass s) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        int nh = cfg.numHeads();
        int nkv = cfg.numKvHeads();
        NDList w = fused(i, s);
        NDArray y = linear(Norms.unit(x, s.column()), w.get(0), spec.qkvBias() ? w.get(2) : null);
        if (s.step()) {
            // [B, 1, heads*D] is [B, heads, 1, D] in memory: no transpose, and RoPE runs once over q, k
            // and v together (v's heads get cos 1 and sin 0).
            return rotate(y.reshape(b, nh + 2L * nkv, 1, cfg.headDim()), s.rope()).split(new long[] {nh, nh + nkv}, 1);
        }
        NDList qkv = y.reshape(b, l, nh + 2L * nkv, cfg.headDim()).split(new long[] {nh, nh + nkv}, 2);
        return new NDList(rotate(qkv.get(0), s.rope()).transpose(0, 2, 1, 3), rotate(qkv.get(1), s.rope()).transpose(0, 2, 1, 3),
                qkv.get(2).transpose(0, 2, 1, 3));
    }

    private NDList fused(int i, Pass s) {
        return s.cache().derived(model, i, this::fusedQkv);
    }

    /**
     * Layer {@code i}'s q, k and v projections as one weight {@code [(heads + 2 kvHeads) D, H + 1]}
     * that reads {@link Norms#unit}'s output: the input RMSNorm weight times sqrt(H) folded into its
     * columns, 1/sqrt(D) into q's rows, and a zero column for the norm's extra entry. Then the
     * post-attention RMSNorm weight times sqrt(H), and the fused q/k/v bias if the model has one.
     * Built once per KV cache (one generation), which already holds values computed from these
     * weights: parameters updated in place between generations are picked up by the next cache.
     * Costs a copy of the attention input weights for the generation's lifetime.
     */
    private NDList fusedQkv(int i) {
        String p = names.layer(i);
        String q = p + names.qkv().get(0);
        String k = p + names.qkv().get(1);
        String v = p + names.qkv().get(2);
        Constants c = model.constants();
        NDArray w = NDArrays.concat(new NDList(model.projectionWeight(q).mul(c.scale), model.projectionWeight(k),
                model.projectionWeight(v)), 0).mul(model.p(p + names.inputNorm() + ".weight").mul(c.rootHidden));
        w = w.concat(w.getManager().zeros(new Shape(w.getShape().get(0), 1)), 1);
        NDArray post = model.p(p + names.postNorm() + ".weight").mul(c.rootHidden);
        if (!spec.qkvBias()) {
            return new NDList(w, post);
        }
        return new NDList(w, post, NDArrays.concat(new NDList(model.p(q + ".bias").mul(c.scale), model.p(k + ".bias"),
                model.p(v + ".bias")), 0));
    }

    /** {@code [B, L, n*D] -> [B, L, n, D]}. */
    private NDArray heads(NDArray x, int n) {
        return x.reshape(x.getShape().get(0), x.getShape().get(1), n, cfg.headDim());
    }

    /** RoPE on heads {@code [..., D]} with cos and sin {@code rope}; none without RoPE (null). */
    private NDArray rotate(NDArray x, NDList rope) {
        return rope == null ? x : model.rope().apply(x, rope.get(0), rope.get(1));
    }

    /**
     * Scaled dot-product attention with the cache; q {@code [B, heads, L, D]}, k and v
     * {@code [B, kvHeads, L, D]}; returns {@code [B, L, H]}. Grouped-query heads: query heads
     * {@code g*group .. g*group+group-1} read key/value head g (HuggingFace's repeat_kv order), so q
     * viewed as {@code [B, kvHeads, group*L, D]} meets each key/value head once, with no copy of k
     * and v per query head.
     */
    private NDArray attention(int layer, NDArray q, NDArray k, NDArray v, Pass s) {
        if (s.cache() != null) {
            NDList kv = s.cache().append(layer, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        Constants c = model.constants();
        long b = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long l = q.getShape().get(2);
        long kvHeads = k.getShape().get(1);
        int d = cfg.headDim();
        long group = heads / kvHeads;
        NDArray scores = q.reshape(b, kvHeads, group * l, d).matMul(k.transpose(0, 1, 3, 2));
        if (!s.folded()) {
            scores = scores.mul(c.scale);
        }
        if (spec.attention().softcap() > 0) {
            scores = scores.div(c.softcap).tanh().mul(c.softcap);
        }
        NDArray mask = spec.attention().slides(layer) ? s.localMask() : s.mask();
        scores = Masks.withMask(scores, mask, kvHeads, group);
        if (JniUtils.isGradMode()) {
            // Scores more than SCORE_GAP below their row's best are raised to it (and masked again):
            // their probabilities (e^-gap and less) were subnormal floats, which every multiply
            // of the backward then handled in microcode. Measured on the built-in model (heads of
            // its second layer attend with gaps up to 268): the student's backward 68-69 -> 30 ms.
            // Their weight stays below e^-40, far under float precision beside the best key's.
            NDArray floor = scores.max(new int[] {-1}, true).stopGradient().sub(c.scoreGap);
            scores = Masks.withMask(scores.maximum(floor), mask, kvHeads, group);
        }
        NDArray out = scores.softmax(-1).matMul(v);
        if (l == 1) {
            return out.reshape(b, 1, heads * d); // [B, kvHeads, group, D] is [B, 1, heads*D] in memory
        }
        return out.reshape(b, heads, l, d).transpose(0, 2, 1, 3).reshape(b, l, heads * d);
    }

    /** The MLP of layer prefix {@code p} on the normed input {@code h}. */
    private NDArray mlp(String p, NDArray h) {
        var mlp = names.mlp();
        if (spec.mlp() == DecoderSpec.Mlp.GELU_TANH) {
            return project(geluTanh(project(h, p + mlp.get(0), spec.mlpBias())), p + mlp.get(1), spec.mlpBias());
        }
        NDArray gate;
        NDArray up;
        if (spec.mlp() == DecoderSpec.Mlp.FUSED_GATED_SILU) {
            NDArray gateUp = project(h, p + mlp.get(0), spec.mlpBias());
            NDList parts = gateUp.split(2, gateUp.getShape().dimension() - 1);
            gate = parts.get(0);
            up = parts.get(1);
        } else {
            gate = project(h, p + mlp.get(0), spec.mlpBias());
            up = project(h, p + mlp.get(1), spec.mlpBias());
        }
        NDArray act = spec.mlp() == DecoderSpec.Mlp.GATED_GELU_TANH ? geluTanh(gate)
                : gate.mul(gate.getNDArrayInternal().sigmoid()); // silu in two calls; DJL's swish takes four
        return project(act.mul(up), p + mlp.get(mlp.size() - 1), spec.mlpBias());
    }

    /** GPT-2's "gelu_new": the tanh approximation (DJL's gelu is the exact erf form). */
    private NDArray geluTanh(NDArray x) {
        Constants c = model.constants();
        NDArray inner = x.add(x.pow(c.three).mul(c.geluCubic)).mul(c.geluScale);
        return x.mul(inner.tanh().add(c.one)).mul(c.half);
    }

    /** The projection {@code stem} of {@code x}, in the spec's weight layout, with its bias if it has one. */
    private NDArray project(NDArray x, String stem, boolean hasBias) {
        NDArray w = model.p(stem + ".weight");
        NDArray bias = hasBias ? model.p(stem + ".bias") : null;
        NDArray y;
        if (spec.layout() == DecoderSpec.Layout.CONV1D) {
            y = x.matMul(w);
            y = bias == null ? y : y.add(bias);
        } else {
            y = linear(x, w, bias);
        }
        NDArray delta = model.adaptation() == null ? null : model.adaptation().outputDelta(stem, x);
        return delta == null ? y : y.add(delta);
    }

    /** {@code x W^T + b} in one call; W is {@code [out, in]} as torch's Linear stores it. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }
}
