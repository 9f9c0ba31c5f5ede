package sdpo4j.lm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sdpo4j.lm.model.Adaptation;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.family.Families;

/**
 * LoRA adapters (Hu et al. 2021) on a frozen model's projections: projection {@code stem} with
 * input x computes {@code W x + (alpha / r) B A drop(x)}, A {@code [r, in]}, B {@code [out, r]}
 * (PEFT's shapes). Dropout applies to the adapter's input only, and only while gradients are
 * recorded (the student's scoring pass; never rollouts or the teacher). Parameters are named
 * {@code <stem>.lora_A.weight} and {@code <stem>.lora_B.weight}, PEFT's names without its
 * {@code base_model.model.} prefix.
 */
public final class LoraAdapters implements Adaptation {
    private final int rank;
    private final double alpha;
    private final double dropout;
    private final List<String> targets;
    private final boolean transposed;
    private final Map<String, NDArray> params;
    private final NDArray scale;

    private LoraAdapters(int rank, double alpha, double dropout, List<String> targets, boolean transposed,
            Map<String, NDArray> params, NDManager manager) {
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.targets = List.copyOf(targets);
        this.transposed = transposed;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        this.scale = manager.create((float) (alpha / rank));
    }

    /**
     * Fresh adapters for {@code base}: A Kaiming-uniform as PEFT initialises it (bound
     * 1/sqrt(in), torch's default for a Linear of that fan-in), B zero, so the adapted model
     * starts equal to the base.
     */
    public static LoraAdapters initialise(DecoderLM base, LoraConfig cfg, NDManager manager, long seed) {
        Random rnd = new Random(seed);
        boolean transposed = conv1d(base);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String stem : LoraTargets.stems(base.config(), cfg.targets())) {
            long[] io = inOut(base, stem, transposed);
            float[] a = new float[(int) (cfg.rank() * io[0])];
            double bound = 1 / Math.sqrt(io[0]);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
            }
            params.put(stem + ".lora_A.weight", manager.create(a, new Shape(cfg.rank(), io[0])));
            params.put(stem + ".lora_B.weight", manager.zeros(new Shape(io[1], cfg.rank())));
        }
        return new LoraAdapters(cfg.rank(), cfg.alpha(), cfg.dropout(), cfg.targets(), transposed, params, manager);
    }

    /**
     * Adapters over {@code base} with the given arrays (named as {@link #parameters()}), checked
     * against the base's projections: every target stem present with shapes {@code [r, in]} and
     * {@code [out, r]}, nothing else.
     */
    static LoraAdapters of(DecoderLM base, int rank, double alpha, double dropout, List<String> targets,
            Map<String, NDArray> arrays, NDManager manager, String source) {
        boolean transposed = conv1d(base);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String stem : LoraTargets.stems(base.config(), targets)) {
            long[] io = inOut(base, stem, transposed);
            params.put(stem + ".lora_A.weight", checked(arrays, stem + ".lora_A.weight", new Shape(rank, io[0]), source));
            params.put(stem + ".lora_B.weight", checked(arrays, stem + ".lora_B.weight", new Shape(io[1], rank), source));
        }
        for (String name : arrays.keySet()) {
            if (!params.containsKey(name)) {
                throw new sdpo4j.lm.model.ModelException(source + ": tensor " + name + " is no adapter of targets " + targets
                        + " (r " + rank + ")");
            }
        }
        return new LoraAdapters(rank, alpha, dropout, targets, transposed, params, manager);
    }

    private static NDArray checked(Map<String, NDArray> arrays, String name, Shape shape, String source) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new sdpo4j.lm.model.ModelException(source + ": no tensor " + name);
        }
        if (!a.getShape().equals(shape)) {
            throw new sdpo4j.lm.model.ModelException(source + ": tensor " + name + " has shape " + a.getShape()
                    + ", expected " + shape + " for this base model and rank");
        }
        return a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
    }

    /** A copy with storage of its own on {@code manager} (the EMA teacher's adapters start so). */
    public LoraAdapters copy(NDManager manager) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        params.forEach((k, v) -> {
            NDArray c = v.stopGradient().duplicate();
            c.attach(manager);
            copies.put(k, c);
        });
        return new LoraAdapters(rank, alpha, dropout, targets, transposed, copies, manager);
    }

    private static boolean conv1d(DecoderLM base) {
        return Families.describe(base.config()).layout() == DecoderSpec.Layout.CONV1D;
    }

    /** Input and output width of projection {@code stem}, from its weight. */
    private static long[] inOut(DecoderLM base, String stem, boolean transposed) {
        Shape w = base.parameters().get(stem + ".weight").getShape();
        return transposed ? new long[] {w.get(0), w.get(1)} : new long[] {w.get(1), w.get(0)};
    }

    @Override
    public NDArray outputDelta(String stem, NDArray x) {
        NDArray a = params.get(stem + ".lora_A.weight");
        if (a == null) {
            return null;
        }
        if (dropout > 0 && JniUtils.isGradMode()) {
            x = x.getNDArrayInternal().dropout(x, (float) dropout, true).singletonOrThrow();
        }
        NDArray low = Linear.linear(x, a).singletonOrThrow();
        return Linear.linear(low, params.get(stem + ".lora_B.weight")).singletonOrThrow().mul(scale);
    }

    @Override
    public NDArray weightDelta(String stem) {
        NDArray a = params.get(stem + ".lora_A.weight");
        if (a == null) {
            return null;
        }
        NDArray ba = params.get(stem + ".lora_B.weight").matMul(a).mul(scale);
        return transposed ? ba.transpose() : ba; // Conv1D stores its weight [in, out]
    }

    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    public int rank() {
        return rank;
    }

    public double alpha() {
        return alpha;
    }

    public double dropout() {
        return dropout;
    }

    /** Target names ({@link LoraTargets#NAMES}) in the config's order. */
    public List<String> targets() {
        return targets;
    }

    /** Whether the base stores its weights {@code [in, out]} (GPT-2's Conv1D; PEFT's {@code fan_in_fan_out}). */
    public boolean weightDeltaTransposed() {
        return transposed;
    }

    /** The adapted projections' stems. */
    public List<String> stems() {
        return params.keySet().stream().filter(k -> k.endsWith(".lora_A.weight"))
                .map(k -> k.substring(0, k.length() - ".lora_A.weight".length())).toList();
    }

    /**
     * Base plus adapters as one plain model: each adapted weight replaced by {@code W + (alpha/r) B A}
     * (new arrays on {@code manager}), every other weight the base's own array.
     */
    public DecoderLM merge(DecoderLM base, NDManager manager) {
        Map<String, NDArray> merged = new LinkedHashMap<>(base.parameters());
        for (String stem : stems()) {
            String name = stem + ".weight";
            NDArray w = base.parameters().get(name).add(weightDelta(stem));
            w.attach(manager);
            merged.put(name, w);
        }
        return new DecoderLM(base.config(), merged);
    }
}
