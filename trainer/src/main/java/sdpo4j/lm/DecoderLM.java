package sdpo4j.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
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
    private static final float MASKED = -1e9f;

    private final ModelConfig cfg;
    private final Map<String, NDArray> params;
    private final String prefix;

    DecoderLM(ModelConfig cfg, Map<String, NDArray> params) {
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
     *     S = cached + L; padding is 0 and is never attended to
     * @param cache keys and values of earlier positions (appended to), or null for a plain pass
     */
    public NDArray forward(NDArray ids, NDArray positions, NDArray attentionMask, KvCache cache) {
        return head(hidden(ids, positions, attentionMask, cache));
    }

    /** The last hidden states {@code [B, L, H]} after the final norm. */
    public NDArray hidden(NDArray ids, NDArray positions, NDArray attentionMask, KvCache cache) {
        // Index arrays may come as int32 (e.g. from NDManager.full): lookups want int64.
        ids = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        positions = positions.getDataType() == DataType.INT64 ? positions : positions.toType(DataType.INT64, false);
        long b = ids.getShape().get(0);
        long l = ids.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDArray x = embedding().get(new NDIndex("{}", ids.reshape(-1))).reshape(b, l, cfg.hiddenSize());
        NDArray mask = attentionBias(attentionMask, past, l);
        if (cfg.architecture() == Architecture.GPT2) {
            x = x.add(p("transformer.wpe.weight").get(new NDIndex("{}", positions.reshape(-1))).reshape(b, l, cfg.hiddenSize()));
            for (int i = 0; i < cfg.numLayers(); i++) {
                x = gpt2Block(i, x, mask, cache);
            }
            return layerNorm(x, "transformer.ln_f.");
        }
        NDList rope = rope(positions);
        for (int i = 0; i < cfg.numLayers(); i++) {
            x = llamaBlock(i, x, mask, rope, cache);
        }
        return rmsNorm(x, "model.norm.weight");
    }

    /** Output logits from hidden states. */
    public NDArray head(NDArray hidden) {
        NDArray w = cfg.tieWordEmbeddings() ? embedding() : p("lm_head.weight");
        return hidden.matMul(w.transpose());
    }

    /** Additive mask {@code [B, 1, L, S]}: 0 where query i may see key j (j <= past + i and j is real). */
    private NDArray attentionBias(NDArray attentionMask, long past, long l) {
        NDManager m = attentionMask.getManager();
        long s = attentionMask.getShape().get(1);
        NDArray query = m.arange(past, past + l, 1, DataType.INT64).reshape(l, 1);
        NDArray key = m.arange(0, s, 1, DataType.INT64).reshape(1, s);
        NDArray causal = key.lte(query).reshape(1, 1, l, s);
        NDArray real = attentionMask.toType(DataType.BOOLEAN, false).reshape(-1, 1, 1, s);
        NDArray allowed = causal.logicalAnd(real);
        return allowed.toType(DataType.FLOAT32, false).sub(1).mul(-MASKED);
    }

    private NDArray gpt2Block(int i, NDArray x, NDArray mask, KvCache cache) {
        String p = "transformer.h." + i + ".";
        NDArray h = layerNorm(x, p + "ln_1.");
        NDArray qkv = h.matMul(p(p + "attn.c_attn.weight")).add(p(p + "attn.c_attn.bias"));
        NDList parts = qkv.split(3, 2);
        NDArray attn = attention(i, heads(parts.get(0), cfg.numHeads()), heads(parts.get(1), cfg.numHeads()),
                heads(parts.get(2), cfg.numHeads()), mask, cache);
        x = x.add(attn.matMul(p(p + "attn.c_proj.weight")).add(p(p + "attn.c_proj.bias")));
        h = layerNorm(x, p + "ln_2.");
        NDArray up = h.matMul(p(p + "mlp.c_fc.weight")).add(p(p + "mlp.c_fc.bias"));
        return x.add(geluTanh(up).matMul(p(p + "mlp.c_proj.weight")).add(p(p + "mlp.c_proj.bias")));
    }

    private NDArray llamaBlock(int i, NDArray x, NDArray mask, NDList rope, KvCache cache) {
        String p = "model.layers." + i + ".";
        NDArray h = rmsNorm(x, p + "input_layernorm.weight");
        NDArray q = heads(linear(h, p + "self_attn.q_proj"), cfg.numHeads());
        NDArray k = heads(linear(h, p + "self_attn.k_proj"), cfg.numKvHeads());
        NDArray v = heads(linear(h, p + "self_attn.v_proj"), cfg.numKvHeads());
        q = applyRope(q, rope);
        k = applyRope(k, rope);
        x = x.add(attention(i, q, k, v, mask, cache).matMul(p(p + "self_attn.o_proj.weight").transpose()));
        h = rmsNorm(x, p + "post_attention_layernorm.weight");
        NDArray gate = Activation.swish(h.matMul(p(p + "mlp.gate_proj.weight").transpose()), 1f);
        NDArray up = h.matMul(p(p + "mlp.up_proj.weight").transpose());
        return x.add(gate.mul(up).matMul(p(p + "mlp.down_proj.weight").transpose()));
    }

    private NDArray linear(NDArray x, String name) {
        NDArray y = x.matMul(p(name + ".weight").transpose());
        return cfg.qkvBias() ? y.add(p(name + ".bias")) : y;
    }

    /** {@code [B, L, n*D] -> [B, n, L, D]}. */
    private NDArray heads(NDArray x, int n) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        return x.reshape(b, l, n, cfg.headDim()).transpose(0, 2, 1, 3);
    }

    /** Scaled dot-product attention with the cache and grouped-query heads; returns {@code [B, L, H]}. */
    private NDArray attention(int layer, NDArray q, NDArray k, NDArray v, NDArray mask, KvCache cache) {
        if (cache != null) {
            NDList kv = cache.append(layer, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        int rep = cfg.numHeads() / cfg.numKvHeads();
        if (rep > 1) {
            k = repeatKv(k, rep);
            v = repeatKv(v, rep);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(cfg.headDim())).add(mask);
        NDArray out = scores.softmax(-1).matMul(v);
        long b = out.getShape().get(0);
        long l = out.getShape().get(2);
        return out.transpose(0, 2, 1, 3).reshape(b, l, cfg.hiddenSize());
    }

    /** Query head h reads key/value head {@code h / rep}, as HuggingFace's repeat_kv. */
    private static NDArray repeatKv(NDArray x, int rep) {
        long[] s = x.getShape().getShape();
        return x.expandDims(2).broadcast(s[0], s[1], rep, s[2], s[3]).reshape(s[0], s[1] * rep, s[2], s[3]);
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(cfg.hiddenSize()), p(name + "weight"), p(name + "bias"),
                (float) cfg.normEps()).singletonOrThrow();
    }

    private NDArray rmsNorm(NDArray x, String weight) {
        NDArray rms = x.square().mean(new int[] {-1}, true).add(cfg.normEps()).sqrt();
        return x.div(rms).mul(p(weight));
    }

    /** GPT-2's "gelu_new": the tanh approximation (DJL's gelu is the exact erf form). */
    private static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(inner.tanh().add(1)).mul(0.5);
    }

    /** cos and sin {@code [B, 1, L, D]} for the positions, in HuggingFace's rotate-half layout. */
    private NDList rope(NDArray positions) {
        long[] s = positions.getShape().getShape();
        NDList table = ropeTable();
        NDArray flat = positions.reshape(-1);
        if (flat.max().getLong() >= cfg.maxPositions()) {
            return ropeAt(positions);
        }
        NDIndex rows = new NDIndex("{}", flat);
        return new NDList(table.get(0).get(rows).reshape(s[0], 1, s[1], cfg.headDim()),
                table.get(1).get(rows).reshape(s[0], 1, s[1], cfg.headDim()));
    }

    /** cos and sin computed for arbitrary positions (beyond the precomputed table). */
    private NDList ropeAt(NDArray positions) {
        NDManager m = positions.getManager();
        float[] inv = Rope.inverseFrequencies(cfg);
        NDArray invFreq = m.create(inv).reshape(1, 1, inv.length);
        NDArray angles = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
        NDArray emb = NDArrays.concat(new NDList(angles, angles), -1).expandDims(1);
        return new NDList(emb.cos(), emb.sin());
    }

    private NDList ropeTable;

    /**
     * cos and sin of every position up to maxPositions, {@code [P, D]} each, computed once: a
     * decoding step then looks its rows up instead of recomputing nine tensor operations.
     */
    private synchronized NDList ropeTable() {
        if (ropeTable == null) {
            NDManager m = embedding().getManager();
            try (NDManager scratch = m.newSubManager()) {
                NDArray positions = scratch.arange(0, cfg.maxPositions(), 1, DataType.INT64).reshape(1, -1);
                NDList cs = ropeAt(positions);
                NDArray cos = cs.get(0).reshape(cfg.maxPositions(), cfg.headDim());
                NDArray sin = cs.get(1).reshape(cfg.maxPositions(), cfg.headDim());
                cos.attach(m);
                sin.attach(m);
                ai.djl.ndarray.NDScope.unregister(cos, sin);
                ropeTable = new NDList(cos, sin);
            }
        }
        return ropeTable;
    }

    private static NDArray applyRope(NDArray x, NDList rope) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(rope.get(0)).add(rotated.mul(rope.get(1)));
    }

    /** All parameters as a list, in {@link #parameters()} order: what the optimizer and EMA teacher walk. */
    public List<NDArray> parameterList() {
        return new ArrayList<>(params.values());
    }
}
