package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.lm.model.family.Families;

/**
 * A decoder-only causal LM over named fp32 parameters, in HuggingFace's tensor names so that
 * checkpoints load and save without renaming. What the blocks are made of (norms, projections,
 * MLP, positions, names) is the family's {@link DecoderSpec}; {@link Block} builds every family
 * from it.
 *
 * <p>The forward pass is plain NDArray code, read top to bottom; it records a graph only where
 * the caller turned gradients on (see {@code sdpo4j.optim.Autograd}).
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
    private final DecoderSpec spec;
    private final Map<String, NDArray> params;
    private final Block block;
    private final Adaptation adaptation;
    private final boolean checkpointing;
    private Constants constants;
    private Rope rope;
    private Rope localRope;

    public DecoderLM(ModelConfig cfg, Map<String, NDArray> params) {
        this(cfg, params, null, false);
    }

    private DecoderLM(ModelConfig cfg, Map<String, NDArray> params, Adaptation adaptation, boolean checkpointing) {
        this.cfg = cfg;
        this.spec = Families.describe(cfg);
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.block = new Block(this, spec);
        this.adaptation = adaptation;
        this.checkpointing = checkpointing;
    }

    /**
     * This model's weights (the same arrays, not copies) with {@code a} added to its projections:
     * a LoRA student or teacher over a base held once. Null gives the plain model back.
     */
    public DecoderLM adapted(Adaptation a) {
        return new DecoderLM(cfg, params, a, checkpointing);
    }

    /**
     * This model with every weight stored in fp16 (half the memory; the EMA teacher's
     * {@code memory.teacher-half}; not bf16, which DJL 0.35's PyTorch JNI cannot hold). The passes
     * still compute in fp32: each weight is widened when a block reads it and the copy freed with
     * the block's arrays, so a pass of a half-precision model must
     * run inside an {@code NDScope} (the teacher's scoring does). Consumes this model: its fp32
     * arrays are closed one by one as their fp16 copies are made, so converting costs one tensor
     * of extra memory, not a model. Full models only (an adapted model shares its base).
     */
    public DecoderLM inHalf() {
        if (adaptation != null) {
            throw new IllegalStateException("an adapted model shares its base weights; convert the base instead");
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray a = e.getValue();
            NDArray b = a.toType(DataType.FLOAT16, false);
            if (b != a) {
                b.attach(a.getManager());
                a.close();
            }
            out.put(e.getKey(), b);
        }
        return new DecoderLM(cfg, out, null, checkpointing);
    }

    /** The adaptation this model adds to its weights, or null. */
    public Adaptation adaptation() {
        return adaptation;
    }

    /**
     * This model (the same arrays) with activation checkpointing on or off. While recording
     * gradients, a checkpointed forward keeps only each block's input and the backward recomputes
     * one block at a time ({@link LayerCheckpoints}): activation memory of one block instead of all.
     */
    public DecoderLM checkpointed(boolean on) {
        return new DecoderLM(cfg, params, adaptation, on);
    }

    /** The arrays training moves: the adaptation's when there is one, else every parameter. */
    public Map<String, NDArray> trainableParameters() {
        return adaptation == null ? params : adaptation.parameters();
    }

    /** {@link #trainableParameters()} as a list, in the same order. */
    public List<NDArray> trainableList() {
        return new ArrayList<>(trainableParameters().values());
    }

    public ModelConfig config() {
        return cfg;
    }

    /** Parameters by HuggingFace name, in a fixed order (the tied head is not a separate entry). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** All parameters as a list, in {@link #parameters()} order: what the optimizer and EMA teacher walk. */
    public List<NDArray> parameterList() {
        return new ArrayList<>(params.values());
    }

    /** The tensor names and shapes a model of this config has, in checkpoint order. */
    public static Map<String, Shape> expectedShapes(ModelConfig c) {
        return Tensors.shapes(Families.describe(c), c);
    }

    /** Random weights as {@link InitialWeights} draws them (normal, std 0.02; norms at 1, or 0 for (1 + w) norms; biases at 0). */
    public static DecoderLM initialise(ModelConfig cfg, NDManager manager, long seed) {
        InitialWeights init = new InitialWeights(cfg);
        java.util.Random rnd = new java.util.Random(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : expectedShapes(cfg).entrySet()) {
            float[] x = new float[(int) e.getValue().size()];
            init.fill(e.getKey(), rnd, x, x.length);
            params.put(e.getKey(), manager.create(x, e.getValue()));
        }
        return new DecoderLM(cfg, params);
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
        return head(run(int64(ids), null, positions, bias, cache));
    }

    /** The last hidden states {@code [B, L, H]} after the final norm. */
    public NDArray hidden(NDArray ids, NDArray positions, NDArray attentionMask, KvCache cache) {
        ids = int64(ids);
        positions = int64(positions);
        long l = ids.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDArray mask = Masks.attentionBias(attentionMask, past, l, cfg.numHeads() / cfg.numKvHeads(), constants());
        return run(ids, positions, cache != null && l == 1 ? positions.toLongArray() : null, mask, cache);
    }

    /** Output logits from hidden states. */
    public NDArray head(NDArray hidden) {
        NDArray logits = Block.linear(hidden, spec.tiedEmbeddings() ? embedding() : p(spec.names().head()), null);
        if (spec.logitSoftcap() > 0) {
            NDArray cap = constants().logitSoftcap;
            return logits.div(cap).tanh().mul(cap);
        }
        return logits;
    }

    /** Rows of {@code table} for integer {@code ids}: {@code ids.shape + [table columns]}, one torch embedding call. */
    public static NDArray lookup(NDArray table, NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /*
     * Speed. On a small model every tensor operation costs about 16-30 us of JNI and dispatch
     * overhead whatever its size, so a cached decoding step (one token per sequence) is paid
     * by its operation count, not its flops. The code therefore counts operations:
     * - projections are one torch linear (no transposed weight view, bias in the same call);
     * - scalars are prebuilt 0-d tensors (Constants; DJL turns x.add(1e-6) into a create plus an add);
     * - a single new token needs no causal mask, only the padding mask;
     * - grouped-query attention reshapes q to [B, kvHeads, group*L, D] instead of repeating k/v;
     * - with a cache (generation) q/k/v come from one fused projection whose weights (with the
     *   input norm and the 1/sqrt(D) score scale folded in) the cache holds for its lifetime
     *   (Block.fusedQkv; RMSNorm models with separate q/k/v, DecoderSpec.foldsDecoding), and a
     *   decoding step applies RoPE to q, k and v heads at once (v's rotation is none);
     * - rotate_half is a matmul with a constant matrix (one call instead of slice, slice, neg, concat).
     * A cached step of the 4 x 256 benchmark model went from about 310 to about 150 operations.
     * Then (folded decoding steps only, Pass.unitNorms), 161 to 127 arrays per step:
     * - RMSNorm in two calls instead of five or six: RMSNorm(x) = sqrt(H) [x, c] / ||[x, c]|| (first H
     *   entries) with c = sqrt(H eps), exactly, because ||[x, c]||^2 = H (mean(x^2) + eps); torch's
     *   normalize computes the right side in one call after a concat. The fused q/k/v weights take
     *   the extra input column with zero weight, so the q/k/v input needs no slice;
     * - positions stay on the host (no transfer to build RoPE rows), and no mask is built or added
     *   when nothing is padded (a single new token may see every cached key).
     */

    /**
     * Embeddings, every block and the final norm. A decoding step (a cache and one new token per
     * sequence) comes with its positions on the host ({@code hostPositions}, else null).
     */
    private NDArray run(NDArray ids, NDArray positions, long[] hostPositions, NDArray mask, KvCache cache) {
        long b = ids.getShape().get(0);
        long l = ids.getShape().get(1);
        boolean step = hostPositions != null;
        boolean folded = cache != null && spec.foldsDecoding();
        NDManager m = ids.getManager();
        // An fp16 table is looked up as it is and only the rows widened (not the whole table).
        NDArray x = lookup(storedEmbedding(), ids);
        if (x.getDataType() != DataType.FLOAT32) {
            x = x.toType(DataType.FLOAT32, false);
        }
        if (spec.scaledEmbedding()) {
            x = x.mul(constants().rootHidden);
        }
        NDList cs = null;
        NDList localCs = null;
        if (spec.positions() instanceof DecoderSpec.Learned learned) {
            x = x.add(lookup(p(learned.table()), step ? m.create(hostPositions, new Shape(b, 1)) : positions));
        } else if (step && folded) {
            // One table row per head: the fused q/k/v heads are rotated in one call, v's by none.
            int rotated = cfg.numHeads() + cfg.numKvHeads();
            cs = rope().perHead(hostPositions, b, rotated, rotated + cfg.numKvHeads(), m);
        } else {
            long[] pos = step ? hostPositions : positions.toLongArray();
            cs = rope().cosSin(pos, b, l, step ? m : positions.getManager());
            if (spec.attention().localPositions() != null) {
                localCs = localRope().cosSin(pos, b, l, step ? m : positions.getManager());
            }
        }
        NDArray localMask = mask;
        int window = spec.attention().window();
        if (window > 0) {
            NDArray queryPositions = step ? m.create(hostPositions, new Shape(b, 1)) : positions;
            NDArray keyPositions = cache == null ? queryPositions : cache.appendPositions(queryPositions);
            // No key is out of the window while every query position is below it.
            long last = step ? java.util.Arrays.stream(hostPositions).max().orElse(0) : queryPositions.max().getLong();
            if (last >= window) {
                localMask = Masks.window(mask, queryPositions, keyPositions, window, cfg.numHeads() / cfg.numKvHeads(),
                        constants());
            }
        }
        NDArray column = null;
        if (folded) {
            column = step ? cache.derived(this, NORM_COLUMN, k -> new NDList(Norms.column(storedEmbedding().getManager(), b, 1, cfg))).get(0)
                    : Norms.column(x.getManager(), b, l, cfg);
        }
        Block.Pass s = new Block.Pass(mask, localMask, cache, folded, step, cs, column, localCs);
        x = layers(x, s);
        String finalNorm = spec.names().finalNorm();
        if (!s.unitNorms()) {
            return block.norm(x, finalNorm);
        }
        NDArray scale = cache.derived(this, FINAL_NORM, k -> new NDList(p(finalNorm + ".weight").mul(constants().rootHidden))).get(0);
        return Norms.leading(Norms.unit(x, column), cfg.hiddenSize()).mul(scale);
    }

    /**
     * Every block in turn. Without autograd recording (the teacher, evaluation, a generation's
     * prefill) each block's intermediate arrays are freed when it ends rather than when the
     * caller's scope closes: held to the end they were 3.3 GB for one teacher pass of the long
     * train-bench (64 responses of about 105 tokens), and touching that much fresh memory every
     * step cost more time than the pass itself. While recording, autograd needs them; a decoding
     * step's arrays are few and its caller frees them per step.
     */
    private NDArray layers(NDArray x, Block.Pass s) {
        if (checkpointing && !s.step() && JniUtils.isGradMode() && sdpo4j.optim.Autograd.isRecording()) {
            boolean trained = JniUtils.requiresGrad((ai.djl.pytorch.engine.PtNDArray) storedEmbedding());
            return LayerCheckpoints.forward(x, trained, cfg.numLayers(), i -> h -> block.apply(i, h, s));
        }
        boolean free = !JniUtils.isGradMode() && !s.step();
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

    /** Index arrays may come as int32 (e.g. from NDManager.full): lookups want int64. */
    private static NDArray int64(NDArray a) {
        return a.getDataType() == DataType.INT64 ? a : a.toType(DataType.INT64, false);
    }

    private NDArray embedding() {
        return p(spec.names().embedding());
    }

    /** The embedding table as stored (its manager, its gradient flag): never a widened copy. */
    private NDArray storedEmbedding() {
        return params.get(spec.names().embedding());
    }

    /**
     * The weight of projection {@code stem} as a decoding pass reads it: the parameter plus the
     * adaptation's weight delta, if any (a new array then, which the caller's scope owns).
     */
    NDArray projectionWeight(String stem) {
        NDArray w = p(stem + ".weight");
        NDArray delta = adaptation == null ? null : adaptation.weightDelta(stem);
        return delta == null ? w : w.add(delta);
    }

    /** A weight as the passes read it: fp32 (an fp16-stored weight widened into the caller's scope). */
    NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter " + name);
        }
        return a.getDataType() == DataType.FLOAT16 ? a.toType(DataType.FLOAT32, false) : a;
    }

    /** This model's constant tensors, on its parameters' device, made on first use and kept. */
    synchronized Constants constants() {
        if (constants == null) {
            constants = new Constants(cfg, spec, storedEmbedding().getManager());
        }
        return constants;
    }

    /** RoPE's table and constant, made on first use and kept. */
    synchronized Rope rope() {
        if (rope == null) {
            rope = new Rope((DecoderSpec.Rotary) spec.positions(), cfg.headDim(), cfg.maxPositions(), storedEmbedding().getManager());
        }
        return rope;
    }

    /** RoPE of the sliding layers when they have their own (Gemma 3), made on first use and kept. */
    synchronized Rope localRope() {
        if (localRope == null) {
            localRope = new Rope(spec.attention().localPositions(), cfg.headDim(), cfg.maxPositions(), storedEmbedding().getManager());
        }
        return localRope;
    }
}
