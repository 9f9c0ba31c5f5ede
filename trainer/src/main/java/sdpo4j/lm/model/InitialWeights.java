package sdpo4j.lm.model;

import java.util.Random;
import sdpo4j.lm.model.family.Families;

/**
 * How a new model's weights are drawn, as HF initialises these models: normal with std 0.02, norms
 * at 1 (0 for Gemma's {@code (1 + w)} norms, the identity), biases at 0. {@link DecoderLM#initialise}
 * draws every tensor from one seeded stream in checkpoint order; a writer that streams release-sized
 * tensors a chunk at a time, in whatever order the files take them, gives each tensor its own
 * stream ({@link #stream}) so that its values do not depend on that order.
 */
public final class InitialWeights {
    /** The standard deviation of the random (non-norm, non-bias) weights. */
    public static final double STD = 0.02;

    private final DecoderSpec.Names names;
    private final float normWeight;

    public InitialWeights(ModelConfig cfg) {
        DecoderSpec spec = Families.describe(cfg);
        this.names = spec.names();
        this.normWeight = spec.norm() == DecoderSpec.Norm.RMS_PLUS_ONE ? 0f : 1f;
    }

    /** Fills {@code x[0..n)} with the next {@code n} values of tensor {@code name}, drawing from {@code rnd}. */
    public void fill(String name, Random rnd, float[] x, int n) {
        boolean bias = name.endsWith(".bias");
        boolean norm = names.isNormWeight(name);
        for (int i = 0; i < n; i++) {
            x[i] = bias ? 0f : norm ? normWeight : (float) (STD * rnd.nextGaussian());
        }
    }

    /** Tensor {@code name}'s own stream under {@code seed}. */
    public static Random stream(long seed, String name) {
        return new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    }
}
