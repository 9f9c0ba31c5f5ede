package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only causal LM over named fp32 parameters, in HuggingFace's tensor names so that
 * checkpoints load and save without renaming. GPT-2 family: learned positions, LayerNorm,
 * Conv1D weights stored (in, out), tanh-GELU, tied head. Llama family: RMSNorm, RoPE,
 * SwiGLU, grouped-query attention, optional q/k/v bias (Qwen2), tied or untied head.
 *
 * <p>The forward pass is plain NDArray code, one method per block, read top to bottom; it
 * records a graph only where the caller turned gradients on (see {@code sdpo4j.optim.Autograd}).
 */
public final class DecoderLM {
    /** Attention scores of masked positions: finite, so a fully masked (padding) row stays finite. */
    public static final float MASKED = -1e9f;
    /** Attention scores below their row's best by more than this are raised to it while recording gradients. */
    static final float SCORE_GAP = 40f;
    /** {@link KvCache#derived} keys of model-wide decoding tensors (layers use their index). */
    private static final int NORM_COLUMN = -1;
    private static final int FINAL_NORM = -2;

    private final ModelConfig cfg;
    private final Map<String, NDArray> params;
    private final String prefix;

    public DecoderLM(ModelConfig cfg, Map<String, NDArray> params) {
        this.cfg = cfg;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.prefix = cfg.architecture() == Architecture.GPT2 ? "transformer." : "model.";
    }

    public ModelConfig config() {
        return cfg;
    }

    /** Parameters by HuggingFace name, in a fixed order (the tied head is not a separate entry). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The tensor names and shapes a model of this config has. */
    public static Map<String, Shape> expectedShapes(ModelConfig c) {
        Map<String, Shape> s = new LinkedHashMap<>();
        long h = c.hiddenSize();
        if (c.architecture() == Architecture.GPT2) {
            s.put("transformer.wte.weight", new Shape(c.vocabSize(), h));
            s.put("transformer.wpe.weight", new Shape(c.maxPositions(), h));
            for (int i = 0; i < c.numLayers(); i++) {
                String p = "transformer.h." + i + ".";
                s.put(p + "ln_1.weight", new Shape(h));
                s.put(p + "ln_1.bias", new Shape(h));
                s.put(p + "attn.c_attn.weight", new Shape(h, 3 * h));
                s.put(p + "attn.c_attn.bias", new Shape(3 * h));
                s.put(p + "attn.c_proj.weight", new Shape(h, h));
                s.put(p + "attn.c_proj.bias", new Shape(h));
                s.put(p + "ln_2.weight", new Shape(h));
                s.put(p + "ln_2.bias", new Shape(h));
                s.put(p + "mlp.c_fc.weight", new Shape(h, c.intermediateSize()));
                s.put(p + "mlp.c_fc.bias", new Shape(c.intermediateSize()));
                s.put(p + "mlp.c_proj.weight", new Shape(c.intermediateSize(), h));
                s.put(p + "mlp.c_proj.bias", new Shape(h));
            }
            s.put("transformer.ln_f.weight", new Shape(h));
            s.put("transformer.ln_f.bias", new Shape(h));
            if (!c.tieWordEmbeddings()) {
                s.put("lm_head.weight", new Shape(c.vocabSize(), h));
            }
        } else {
            long kv = (long) c.numKvHeads() * c.headDim();
            s.put("model.embed_tokens.weight", new Shape(c.vocabSize(), h));
            for (int i = 0; i < c.numLayers(); i++) {
                String p = "model.layers." + i + ".";
                s.put(p + "input_layernorm.weight", new Shape(h));
                s.put(p + "self_attn.q_proj.weight", new Shape(h, h));
                s.put(p + "self_attn.k_proj.weight", new Shape(kv, h));
                s.put(p + "self_attn.v_proj.weight", new Shape(kv, h));
                if (c.qkvBias()) {
                    s.put(p + "self_attn.q_proj.bias", new Shape(h));
                    s.put(p + "self_attn.k_proj.bias", new Shape(kv));
                    s.put(p + "self_attn.v_proj.bias", new Shape(kv));
                }
                s.put(p + "self_attn.o_proj.weight", new Shape(h, h));
                s.put(p + "post_attention_layernorm.weight", new Shape(h));
                s.put(p + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), h));
                s.put(p + "mlp.up_proj.weight", new Shape(c.intermediateSize(), h));
                s.put(p + "mlp.down_proj.weight", new Shape(h, c.intermediateSize()));
            }
            s.put("model.norm.weight", new Shape(h));
            if (!c.tieWordEmbeddings()) {
                s.put("lm_head.weight", new Shape(c.vocabSize(), h));
            }
        }
        return s;
    }

    /** Random weights (normal, std 0.02; norms at 1, biases at 0), as HF initialises these models. */
    public static DecoderLM initialise(ModelConfig cfg, NDManager manager, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : expectedShapes(cfg).entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue();
            float[] x = new float[(int) shape.size()];
            boolean norm = name.contains("ln_") || name.contains("layernorm") || name.endsWith("norm.weight");
            for (int i = 0; i < x.length; i++) {
                x[i] = name.endsWith(".bias") ? 0f : norm ? 1f : (float) (0.02 * rnd.nextGaussian());
            }
            params.put(name, manager.create(x, shape));
        }
        return new DecoderLM(cfg, params);
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter " + name);
        }
        return a;
    }

    private NDArray embedding() {
        return p(prefix + (cfg.architecture() == Architecture.GPT2 ? "wte.weight" : "embed_tokens.weight"));
    }

    /**
     * Logits {@code [B, L, V]} for token ids {@code [B, L]} (int64).
     *
     * @param positions absolute position of each token {@code [B, L]} (int64)
     * @param attentionMask 1 for real tokens over all cached and new positions {@code [B, S]},
     *     S = cached + L; padding is 0 and is never attended to. Or, for callers that decide
     *     themselves what each new token sees (several sequences packed into one row), the
     *     whole mask {@code [B, L, S]}: 1 where new token i may attend to position j; no causal
     *     part is added then
     * @param cache keys and values of earlier positions (appended to), or null for a plain pass
     */
    public NDArray forward(NDArray ids, NDArray positions, NDArray attentionMask, KvCache cache) {
        return head(hidden(ids, positions, attentionMask, cache));
    }

    /**
     * Logits {@code [B, 1, V]} of one decoding step (one new token per sequence after the cached
     * ones), for callers that keep positions and padding on the host: no transfer of positions, and
     * no mask at all when nothing is padded.
     *
     * @param positions absolute position of each sequence's new token
     * @param bias additive attention bias {@code [B, 1, 1, S]} over cached and new positions, 0 where
     *     attended and {@link #MASKED} at padding; null when every position is attended
     */
    public NDArray decodeStep(NDArray ids, long[] positions, NDArray bias, KvCache cache) {
        return head(decodeHidden(ids, positions, bias, cache));
    }

    /*
     * Speed. On a small model every tensor operation costs about 16-30 us of JNI and dispatch
     * overhead whatever its size, so a cached decoding step (one token per sequence) is paid
     * by its operation count, not its flops. The code below therefore counts operations:
     * - projections are one torch linear (no transposed weight view, bias in the same call);
     * - scalars are prebuilt 0-d tensors (DJL turns x.add(1e-6) into a create plus an add);
     * - a single new token needs no causal mask, only the padding mask;
     * - grouped-query attention reshapes q to [B, kvHeads, group*L, D] instead of repeating k/v;
     * - with a cache (generation) q/k/v come from one fused projection whose weights (with the
     *   input norm and the 1/sqrt(D) score scale folded in) the cache holds for its lifetime,
     *   and a decoding step applies RoPE to q, k and v heads at once (v's rotation is none);
     * - rotate_half is a matmul with a constant matrix (one call instead of slice, slice, neg, concat).
     * A cached step of the 4 x 256 benchmark model went from about 310 to about 150 operations.
     * Then (decoding steps only, see decodeHidden), 161 to 127 arrays per step:
     * - RMSNorm in two calls instead of five or six: RMSNorm(x) = sqrt(H) [x, c] / ||[x, c]|| (first H
     *   entries) with c = sqrt(H eps), exactly, because ||[x, c]||^2 = H (mean(x^2) + eps); torch's
     *   normalize computes the right side in one call after a concat. The fused q/k/v weights take
     *   the extra input column with zero weight, so the q/k/v input needs no slice;
     * - positions stay on the host (no transfer to build RoPE rows), and no mask is built or added
     *   when nothing is padded (a single new token may see every cached key).
     */

    /** The last hidden states {@code [B, L, H]} after the final norm. */
    public NDArray hidden(NDArray ids, NDArray positions, NDArray attentionMask, KvCache cache) {
        // Index arrays may come as int32 (e.g. from NDManager.full): lookups want int64.
        ids = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        positions = positions.getDataType() == DataType.INT64 ? positions : positions.toType(DataType.INT64, false);
        long b = ids.getShape().get(0);
        long l = ids.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        if (cache != null && l == 1) {
            return decodeHidden(ids, positions.toLongArray(), attentionBias(attentionMask, past, 1, 1), cache);
        }
        NDArray x = lookup(embedding(), ids);
        if (cfg.architecture() == Architecture.GPT2) {
            Step s = new Step(attentionBias(attentionMask, past, l, 1), false, null, null, cache, null);
            x = x.add(lookup(p("transformer.wpe.weight"), positions));
            return layerNorm(layers(x, s, this::gpt2Block), "transformer.ln_f.");
        }
        long[] pos = positions.toLongArray();
        int group = cfg.numHeads() / cfg.numKvHeads();
        NDArray mask = attentionBias(attentionMask, past, l, group);
        NDList cs = ropeCosSin(pos, b, l, positions.getManager());
        Step s = new Step(mask, cache != null, cs.get(0), cs.get(1), cache, cache == null ? null : normColumn(x.getManager(), b, l));
        return rmsNorm(layers(x, s, this::llamaBlock), "model.norm.weight");
    }

    /** One decoder block: layer index, input, what the pass shares; returns the block's output. */
    private interface Block {
        NDArray apply(int layer, NDArray x, Step s);
    }

    /**
     * Every block in turn. Without autograd recording (the teacher, evaluation, a generation's
     * prefill) each block's intermediate arrays are freed when it ends rather than when the
     * caller's scope closes: held to the end they were 3.3 GB for one teacher pass of the long
     * train-bench (64 responses of about 105 tokens), and touching that much fresh memory every
     * step cost more time than the pass itself. While recording, autograd needs them.
     */
    private NDArray layers(NDArray x, Step s, Block block) {
        boolean free = !JniUtils.isGradMode();
        for (int i = 0; i < cfg.numLayers(); i++) {
            if (!free) {
                x = block.apply(i, x, s);
                continue;
            }
            NDArray out;
            try (NDScope layer = new NDScope()) {
                out = block.apply(i, x, s);
                NDScope.unregister(out);
            }
            NDScope.register(out); // the caller's scope, if it has one, owns the result again
            if (i > 0) {
                x.close(); // the previous block's output, ours to free
            }
            x = out;
        }
        return x;
    }

    /**
     * What every layer of one forward pass shares: the additive attention mask (null: nothing
     * masked), whether q is already scaled by 1/sqrt(D) (fused weights), RoPE's cos and sin
     * ({@code [B, L, 1, D]} for several tokens, {@code [B, heads + 2 kvHeads, 1, D]} for a decoding
     * step), the cache, and with a cache the constant column {@code [B, L, 1]} of {@link #unitNorm}.
     */
    private record Step(NDArray mask, boolean qScaled, NDArray cos, NDArray sin, KvCache cache, NDArray column) {}

    /**
     * A decoding step's last hidden states {@code [B, 1, H]} after the final norm. Llama family:
     * RMSNorms by {@link #unitNorm} (the weights times sqrt(H) are kept by the cache), RoPE for all
     * heads at once, and fused q/k/v weights.
     */
    private NDArray decodeHidden(NDArray ids, long[] positions, NDArray bias, KvCache cache) {
        ids = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        long b = ids.getShape().get(0);
        NDManager m = ids.getManager();
        NDArray x = lookup(embedding(), ids);
        if (cfg.architecture() == Architecture.GPT2) {
            Step s = new Step(bias, false, null, null, cache, null);
            x = x.add(lookup(p("transformer.wpe.weight"), m.create(positions, new Shape(b, 1))));
            for (int i = 0; i < cfg.numLayers(); i++) {
                x = gpt2Block(i, x, s);
            }
            return layerNorm(x, "transformer.ln_f.");
        }
        NDList cs = ropePerHead(positions, b, m);
        NDArray column = cache.derived(this, NORM_COLUMN, k -> new NDList(normColumn(embedding().getManager(), b, 1))).get(0);
        Step s = new Step(bias, true, cs.get(0), cs.get(1), cache, column);
        for (int i = 0; i < cfg.numLayers(); i++) {
            x = decodeLlamaBlock(i, x, s);
        }
        NDArray scale = cache.derived(this, FINAL_NORM, k -> new NDList(p("model.norm.weight").mul(constants().rootHidden))).get(0);
        return leading(unitNorm(x, column), cfg.hiddenSize()).mul(scale);
    }

    /** One Llama block for one new token per sequence, on {@link #fusedQkv}'s weights. */
    private NDArray decodeLlamaBlock(int i, NDArray x, Step s) {
        String p = "model.layers." + i + ".";
        long b = x.getShape().get(0);
        int nh = cfg.numHeads();
        int nkv = cfg.numKvHeads();
        NDList w = s.cache().derived(this, i, this::fusedQkv);
        NDArray y = linear(unitNorm(x, s.column()), w.get(0), cfg.qkvBias() ? w.get(2) : null);
        // [B, 1, heads*D] is [B, heads, 1, D] in memory: no transpose, and RoPE runs once over q, k
        // and v together (v's heads get cos 1 and sin 0).
        NDList qkv = applyRope(y.reshape(b, nh + 2L * nkv, 1, cfg.headDim()), s).split(new long[] {nh, nh + nkv}, 1);
        x = x.add(linear(attention(i, qkv.get(0), qkv.get(1), qkv.get(2), s), p(p + "self_attn.o_proj.weight"), null));
        return x.add(mlp(p, leading(unitNorm(x, s.column()), cfg.hiddenSize()).mul(w.get(1))));
    }

    /** Output logits from hidden states. */
    public NDArray head(NDArray hidden) {
        return linear(hidden, cfg.tieWordEmbeddings() ? embedding() : p("lm_head.weight"), null);
    }

    /** Rows of {@code table} for integer {@code ids}: {@code ids.shape + [table columns]}, one torch embedding call. */
    public static NDArray lookup(NDArray table, NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** {@code x W^T + b} in one call; W is {@code [out, in]} as HuggingFace stores it. */
    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }

    /**
     * Additive mask: 0 where query i may see key j (j <= past + i and j is real, or as a rank-3
     * mask says), a large negative number elsewhere. {@code [B, 1, 1, L, S]} for several new tokens
     * of a model with grouped-query heads (scores are viewed as {@code [B, kvHeads, group, L, S]},
     * so the mask broadcasts over a group's query heads instead of being copied for each),
     * {@code [B, 1, L, S]} otherwise.
     */
    private NDArray attentionBias(NDArray attentionMask, long past, long l, int group) {
        Constants c = constants();
        Shape shape = attentionMask.getShape();
        long s = shape.get(shape.dimension() - 1);
        NDArray bias;
        if (shape.dimension() == 3) {
            if (shape.get(1) != l || s != past + l) {
                throw new IllegalArgumentException("attention mask " + shape + " for " + l + " new tokens after " + past);
            }
            bias = maskBias(attentionMask.toType(DataType.BOOLEAN, false).reshape(-1, 1, l, s), c);
        } else {
            bias = maskBias(attentionMask.toType(DataType.BOOLEAN, false).reshape(-1, 1, 1, s), c);
            if (l > 1) {
                // A single new token may see every cached key, so only several tokens need the causal
                // part. Padding [B, 1, 1, S] and causal [L, S] are biased apart and added: one op over
                // [B, 1, L, S] instead of four (MASKED twice where both mask a key: still finite).
                NDManager m = attentionMask.getManager();
                NDArray query = m.arange(past, past + l, 1, DataType.INT64).reshape(l, 1);
                NDArray key = m.arange(0, s, 1, DataType.INT64);
                bias = bias.add(maskBias(key.lte(query), c));
            }
        }
        return l > 1 && group > 1 ? bias.expandDims(1) : bias;
    }

    /** 0 where {@code allowed}, {@link #MASKED} elsewhere: (allowed - 1) * 1e9 (DJL's where() does not broadcast). */
    private static NDArray maskBias(NDArray allowed, Constants c) {
        return allowed.toType(DataType.FLOAT32, false).sub(c.one).mul(c.maskedScale);
    }

    private NDArray gpt2Block(int i, NDArray x, Step s) {
        String p = "transformer.h." + i + ".";
        NDArray h = layerNorm(x, p + "ln_1.");
        NDArray qkv = h.matMul(p(p + "attn.c_attn.weight")).add(p(p + "attn.c_attn.bias"));
        NDList parts = qkv.split(3, 2);
        NDArray attn = attention(i, heads(parts.get(0), cfg.numHeads()), heads(parts.get(1), cfg.numHeads()),
                heads(parts.get(2), cfg.numHeads()), s);
        x = x.add(attn.matMul(p(p + "attn.c_proj.weight")).add(p(p + "attn.c_proj.bias")));
        h = layerNorm(x, p + "ln_2.");
        NDArray up = h.matMul(p(p + "mlp.c_fc.weight")).add(p(p + "mlp.c_fc.bias"));
        return x.add(geluTanh(up).matMul(p(p + "mlp.c_proj.weight")).add(p(p + "mlp.c_proj.bias")));
    }

    private NDArray llamaBlock(int i, NDArray x, Step s) {
        String p = "model.layers." + i + ".";
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        int nh = cfg.numHeads();
        int nkv = cfg.numKvHeads();
        int d = cfg.headDim();
        long[] split = {nh, nh + nkv};
        NDArray q;
        NDArray k;
        NDArray v;
        if (s.cache() != null) {
            // The prefill of a generation, on the weights its decoding steps use (decodeLlamaBlock).
            NDList w = s.cache().derived(this, i, this::fusedQkv);
            NDArray y = linear(unitNorm(x, s.column()), w.get(0), cfg.qkvBias() ? w.get(2) : null);
            NDList qkv = y.reshape(b, l, nh + 2L * nkv, d).split(split, 2);
            q = applyRope(qkv.get(0), s).transpose(0, 2, 1, 3);
            k = applyRope(qkv.get(1), s).transpose(0, 2, 1, 3);
            v = qkv.get(2).transpose(0, 2, 1, 3);
        } else {
            NDArray h = rmsNorm(x, p + "input_layernorm.weight");
            q = applyRope(projection(h, p + "self_attn.q_proj").reshape(b, l, nh, d), s).transpose(0, 2, 1, 3);
            k = applyRope(projection(h, p + "self_attn.k_proj").reshape(b, l, nkv, d), s).transpose(0, 2, 1, 3);
            v = projection(h, p + "self_attn.v_proj").reshape(b, l, nkv, d).transpose(0, 2, 1, 3);
        }
        x = x.add(linear(attention(i, q, k, v, s), p(p + "self_attn.o_proj.weight"), null));
        return x.add(mlp(p, rmsNorm(x, p + "post_attention_layernorm.weight")));
    }

    /** SwiGLU of layer prefix {@code p} on the normed input. */
    private NDArray mlp(String p, NDArray h) {
        NDArray gate = linear(h, p(p + "mlp.gate_proj.weight"), null);
        NDArray up = linear(h, p(p + "mlp.up_proj.weight"), null);
        NDArray silu = gate.mul(gate.getNDArrayInternal().sigmoid()); // two calls; DJL's swish takes four
        return linear(silu.mul(up), p(p + "mlp.down_proj.weight"), null);
    }

    private NDArray projection(NDArray x, String name) {
        return linear(x, p(name + ".weight"), cfg.qkvBias() ? p(name + ".bias") : null);
    }

    /**
     * Layer {@code i}'s q, k and v projections as one weight {@code [(heads + 2 kvHeads) D, H + 1]}
     * that reads {@link #unitNorm}'s output: the input RMSNorm weight times sqrt(H) folded into its
     * columns, 1/sqrt(D) into q's rows, and a zero column for the norm's extra entry. Then the
     * post-attention RMSNorm weight times sqrt(H), and the fused q/k/v bias if the model has one.
     * Built once per KV cache (one generation), which already holds values computed from these
     * weights: parameters updated in place between generations are picked up by the next cache.
     * Costs a copy of the attention input weights for the generation's lifetime.
     */
    private NDList fusedQkv(int i) {
        String layer = "model.layers." + i + ".";
        String p = layer + "self_attn.";
        NDArray scale = constants().scale;
        NDArray root = constants().rootHidden;
        NDArray w = NDArrays.concat(new NDList(p(p + "q_proj.weight").mul(scale), p(p + "k_proj.weight"),
                p(p + "v_proj.weight")), 0).mul(p(layer + "input_layernorm.weight").mul(root));
        w = w.concat(w.getManager().zeros(new Shape(w.getShape().get(0), 1)), 1);
        NDArray post = p(layer + "post_attention_layernorm.weight").mul(root);
        if (!cfg.qkvBias()) {
            return new NDList(w, post);
        }
        return new NDList(w, post, NDArrays.concat(new NDList(p(p + "q_proj.bias").mul(scale), p(p + "k_proj.bias"),
                p(p + "v_proj.bias")), 0));
    }

    /** {@code [B, L, n*D] -> [B, n, L, D]}. */
    private NDArray heads(NDArray x, int n) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        return x.reshape(b, l, n, cfg.headDim()).transpose(0, 2, 1, 3);
    }

    /**
     * Scaled dot-product attention with the cache; q {@code [B, heads, L, D]}, k and v
     * {@code [B, kvHeads, L, D]}; returns {@code [B, L, H]}. Grouped-query heads: query heads
     * {@code g*group .. g*group+group-1} read key/value head g (HuggingFace's repeat_kv order), so q
     * viewed as {@code [B, kvHeads, group*L, D]} meets each key/value head once, with no copy of k
     * and v per query head.
     */
    private NDArray attention(int layer, NDArray q, NDArray k, NDArray v, Step s) {
        if (s.cache() != null) {
            NDList kv = s.cache().append(layer, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        long b = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long l = q.getShape().get(2);
        long kvHeads = k.getShape().get(1);
        int d = cfg.headDim();
        long group = heads / kvHeads;
        NDArray scores = q.reshape(b, kvHeads, group * l, d).matMul(k.transpose(0, 1, 3, 2));
        if (!s.qScaled()) {
            scores = scores.mul(constants().scale);
        }
        scores = withMask(scores, s.mask(), kvHeads, group);
        if (JniUtils.isGradMode()) {
            // Scores more than SCORE_GAP below their row's best are raised to it (and masked again):
            // their probabilities (e^-gap and less) were subnormal floats, which every multiply
            // of the backward then handled in microcode. Measured on the built-in model (heads of
            // its second layer attend with gaps up to 268): the student's backward 68-69 -> 30 ms.
            // Their weight stays below e^-40, far under float precision beside the best key's.
            NDArray floor = scores.max(new int[] {-1}, true).stopGradient().sub(constants().scoreGap);
            scores = withMask(scores.maximum(floor), s.mask(), kvHeads, group);
        }
        NDArray out = scores.softmax(-1).matMul(v);
        if (l == 1) {
            return out.reshape(b, 1, cfg.hiddenSize()); // [B, kvHeads, group, D] is [B, 1, H] in memory
        }
        return out.reshape(b, heads, l, d).transpose(0, 2, 1, 3).reshape(b, l, cfg.hiddenSize());
    }

    /** {@code scores} {@code [B, kvHeads, group*L, S]} plus the additive mask (none when null). */
    private static NDArray withMask(NDArray scores, NDArray mask, long kvHeads, long group) {
        if (mask == null) {
            return scores;
        }
        if (mask.getShape().dimension() == 5) {
            // The mask is [B, 1, 1, L, S] (attentionBias): one copy for a group's query heads.
            Shape shape = scores.getShape();
            long b = shape.get(0);
            long keys = shape.get(3);
            return scores.reshape(b, kvHeads, group, shape.get(2) / group, keys).add(mask).reshape(shape);
        }
        return scores.add(mask);
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(cfg.hiddenSize()), p(name + "weight"), p(name + "bias"),
                (float) cfg.normEps()).singletonOrThrow();
    }

    private NDArray rmsNorm(NDArray x, String weight) {
        return normalise(x).mul(p(weight));
    }

    /** RMSNorm without its weight: {@code x / sqrt(mean(x^2) + eps)}. */
    private NDArray normalise(NDArray x) {
        return x.div(x.square().mean(new int[] {-1}, true).add(constants().eps).sqrt());
    }

    /**
     * {@code [x, c] / ||[x, c]||} over the last axis, {@code [..., H + 1]}, for the constant column c =
     * sqrt(H eps) ({@link #normColumn}): its first H entries are RMSNorm(x) / sqrt(H) (see the
     * speed notes above), in two calls.
     */
    private static NDArray unitNorm(NDArray x, NDArray column) {
        return x.concat(column, -1).normalize(2, -1, 0);
    }

    /** {@link #unitNorm}'s column {@code [B, L, 1]}, filled with sqrt(H eps). */
    private NDArray normColumn(NDManager m, long b, long l) {
        return m.full(new Shape(b, l, 1), (float) Math.sqrt(cfg.hiddenSize() * cfg.normEps()));
    }

    /** The first {@code n} entries of the last axis, as a view. */
    private static NDArray leading(NDArray x, long n) {
        if (x instanceof PtNDArray pt) {
            return JniUtils.slice(pt, x.getShape().dimension() - 1, 0, n, 1);
        }
        return x.get(new NDIndex("..., :{}", n));
    }

    /**
     * GPT-2's "gelu_new": the tanh approximation (DJL's gelu is the exact erf form). Its numbers
     * are the model's constants, not Java numbers: DJL would wrap each in a tensor over a buffer
     * that the garbage collector may free before the backward pass reads it (see
     * {@link sdpo4j.optim.Scalars}).
     */
    private NDArray geluTanh(NDArray x) {
        Constants c = constants();
        NDArray inner = x.add(x.pow(c.three).mul(c.geluCubic)).mul(c.geluScale);
        return x.mul(inner.tanh().add(c.one)).mul(c.half);
    }

    /** {@code x * cos + rotate_half(x) * sin} on {@code [B, L, heads, D]}; rotate_half is a matmul with a constant. */
    private NDArray applyRope(NDArray x, Step s) {
        return x.mul(s.cos()).add(x.matMul(constants().rotateHalf).mul(s.sin()));
    }

    /** cos and sin {@code [B, L, 1, D]} for the positions, looked up in the table. */
    private NDList ropeCosSin(long[] pos, long b, long l, NDManager m) {
        long[] rows = new long[pos.length];
        long max = 0;
        for (int i = 0; i < pos.length; i++) {
            rows[i] = pos[i] + 1;
            max = Math.max(max, pos[i]);
        }
        NDArray cs = lookup(ropeTable(max), m.create(rows, new Shape(b, l)));
        return cs.reshape(b, l, 1, 2L * cfg.headDim()).split(2, 3);
    }

    /**
     * For a decoding step (one token per sequence): cos and sin {@code [B, heads + 2 kvHeads, 1, D]}
     * per sequence and head, the token's rotation for q and k heads and none (table row 0) for v.
     * (One rotation matrix per head applied with a batched matmul has fewer operations but was
     * slower: building the [B, heads, D, D] matrices and 1 x D by D x D products cost more.)
     */
    private NDList ropePerHead(long[] pos, long b, NDManager m) {
        int nqk = cfg.numHeads() + cfg.numKvHeads();
        int all = nqk + cfg.numKvHeads();
        long[] rows = new long[(int) b * all];
        long max = 0;
        for (int i = 0; i < b; i++) {
            for (int h = 0; h < nqk; h++) {
                rows[i * all + h] = pos[i] + 1;
            }
            max = Math.max(max, pos[i]);
        }
        // Rows shaped [B, heads, 1]: the lookup is already [B, heads, 1, 2D], no reshape.
        return lookup(ropeTable(max), m.create(rows, new Shape(b, all, 1))).split(2, 3);
    }

    /** cos and sin computed for arbitrary positions {@code [B, L] -> [B, L, D]} each. */
    private NDList ropeAt(NDArray positions) {
        NDManager m = positions.getManager();
        float[] inv = Rope.inverseFrequencies(cfg);
        NDArray invFreq = m.create(inv).reshape(1, 1, inv.length);
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
        NDArray emb = NDArrays.concat(new NDList(angles, angles), -1);
        return new NDList(emb.cos(), emb.sin());
    }

    private NDArray ropeTable;

    /**
     * Row 0: cos 1 and sin 0 (no rotation, for v heads); row p + 1: cos and sin of position p,
     * {@code [rows, 2D]}. Computed once for maxPositions and grown (doubling) when a longer
     * sequence asks for it, so a step looks its rows up instead of recomputing the angles.
     */
    private synchronized NDArray ropeTable(long maxPosition) {
        if (ropeTable != null && maxPosition + 1 < ropeTable.getShape().get(0)) {
            return ropeTable;
        }
        long size = Math.max(cfg.maxPositions(), 1);
        while (size <= maxPosition) {
            size *= 2;
        }
        NDManager m = embedding().getManager();
        NDArray table;
        try (NDManager scratch = m.newSubManager()) {
            NDArray positions = scratch.arange(0, size, 1, DataType.INT64).reshape(1, -1);
            NDList cs = ropeAt(positions);
            int d = cfg.headDim();
            NDArray none = NDArrays.concat(new NDList(scratch.ones(new Shape(1, d)), scratch.zeros(new Shape(1, d))), 1);
            NDArray rows = NDArrays.concat(new NDList(cs.get(0), cs.get(1)), -1).reshape(size, 2L * d);
            table = NDArrays.concat(new NDList(none, rows), 0);
            table.attach(m);
            NDScope.unregister(table);
        }
        // The old table stays with the parameters' manager: another thread may be reading it.
        ropeTable = table;
        return table;
    }

    /** Constant tensors of this model, on its parameters' device, built once. */
    private static final class Constants {
        NDArray one;
        NDArray three;
        NDArray half;
        /** gelu_new's 0.044715 and sqrt(2 / pi). */
        NDArray geluCubic;
        NDArray geluScale;
        /** -MASKED: (allowed - 1) times this is 0 or MASKED. */
        NDArray maskedScale;
        /** {@link #SCORE_GAP}. */
        NDArray scoreGap;
        NDArray scale;
        NDArray eps;
        /** sqrt(H): {@link #unitNorm} is RMSNorm / sqrt(H). */
        NDArray rootHidden;
        /** {@code [D, D]}: {@code x @ rotateHalf = cat(-x2, x1)}, HuggingFace's rotate_half. */
        NDArray rotateHalf;
    }

    private Constants constants;

    private synchronized Constants constants() {
        if (constants == null) {
            NDManager m = embedding().getManager();
            int d = cfg.headDim();
            float[] r = new float[d * d];
            for (int j = 0; j < d / 2; j++) {
                r[(j + d / 2) * d + j] = -1; // out[j] = -x[j + D/2]
                r[j * d + j + d / 2] = 1; // out[j + D/2] = x[j]
            }
            Constants c = new Constants();
            // Held here for the model's lifetime: these arrays are never closed, so the buffers
            // they were created from stay alive while any graph may read them.
            c.one = m.create(1f);
            c.three = m.create(3f);
            c.half = m.create(0.5f);
            c.geluCubic = m.create((float) 0.044715);
            c.geluScale = m.create((float) Math.sqrt(2 / Math.PI));
            c.maskedScale = m.create(-MASKED);
            c.scoreGap = m.create(SCORE_GAP);
            c.scale = m.create((float) (1 / Math.sqrt(d)));
            c.eps = m.create((float) cfg.normEps());
            c.rootHidden = m.create((float) Math.sqrt(cfg.hiddenSize()));
            c.rotateHalf = m.create(r, new Shape(d, d));
            NDScope.unregister(c.one, c.three, c.half, c.geluCubic, c.geluScale, c.maskedScale, c.scoreGap, c.scale, c.eps, c.rootHidden,
                    c.rotateHalf);
            constants = c;
        }
        return constants;
    }

    /** All parameters as a list, in {@link #parameters()} order: what the optimizer and EMA teacher walk. */
    public List<NDArray> parameterList() {
        return new ArrayList<>(params.values());
    }
}
