package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.env.sequence.WorldConfig;

/**
 * R simulated worlds side by side (SPEC 2.1): per world seed, token quality {@code q [T, V]},
 * bigram coherence {@code b [V, V]} and a target pattern {@code s* [T]}, with reward
 * {@code R(s) = sigmoid((sum_t q(t,s_t) + sum_t b(s_t,s_t+1) + alpha_p * #[s_t = s*_t]) / T)}.
 * Each world is a {@link SequenceWorld} (drawn on the host from its seed, the same world the
 * sequence-quality environment builds), copied into per-run tensors.
 */
public final class World {
    final WorldConfig cfg;
    /** Token quality {@code [R, T, V]}. */
    final NDArray quality;
    /** Quality flattened to {@code [R, T*V]}, index {@code t * V + v}: gathers stay contiguous. */
    final NDArray qualityFlat;
    /** Bigram bonus flattened to {@code [R, V*V]}, index {@code v * V + v'}. */
    final NDArray bigram;
    /** {@code t * V} for each position, {@code [1, 1, T]}: turns tokens into indices of {@link #qualityFlat}. */
    private final NDArray positionOffset;
    /** Target pattern {@code [R, T]} (int64). */
    final NDArray target;
    /** Per world, the token with the lowest mean quality: what a biased judge over-rewards. */
    final NDArray favouredToken;
    private final SequenceWorld[] hosts;

    World(NDManager manager, WorldConfig cfg, long[] seeds) {
        this.cfg = cfg;
        int r = seeds.length;
        int t = cfg.length();
        int v = cfg.vocab();
        hosts = new SequenceWorld[r];
        float[] q = new float[r * t * v];
        float[] b = new float[r * v * v];
        long[] target = new long[r * t];
        long[] favoured = new long[r];
        for (int i = 0; i < r; i++) {
            SequenceWorld w = new SequenceWorld(cfg, seeds[i]);
            hosts[i] = w;
            for (int pos = 0; pos < t; pos++) {
                for (int tok = 0; tok < v; tok++) {
                    q[(i * t + pos) * v + tok] = (float) w.quality(pos, tok);
                }
                target[i * t + pos] = w.target(pos);
            }
            for (int a = 0; a < v; a++) {
                for (int c = 0; c < v; c++) {
                    b[(i * v + a) * v + c] = (float) w.bigram(a, c);
                }
            }
            favoured[i] = w.worstToken();
        }
        this.quality = manager.create(q, new Shape(r, t, v));
        this.qualityFlat = quality.reshape(r, (long) t * v);
        this.positionOffset = manager.arange(0, t * v, v, DataType.INT64).reshape(1, 1, t);
        this.bigram = manager.create(b, new Shape(r, v * v));
        this.target = manager.create(target, new Shape(r, t));
        this.favouredToken = manager.create(favoured, new Shape(r));
    }

    /** Rewards {@code [R, B]} of token sequences {@code [R, B, T]}. */
    NDArray reward(NDArray tokens) {
        return Activation.sigmoid(score(tokens));
    }

    /**
     * The reward before the sigmoid, {@code [R, B]}. Lookups gather from the flattened
     * per-run tables with {@code [R, B*T]} indices: a gather from a broadcast view is several
     * times slower.
     */
    NDArray score(NDArray tokens) {
        long r = tokens.getShape().get(0);
        long rollouts = tokens.getShape().get(1);
        int t = cfg.length();
        int v = cfg.vocab();
        NDArray local = tokenQuality(tokens).sum(new int[] {2});
        NDArray pairs = tokens.get(":, :, :-1").mul(v).add(tokens.get(":, :, 1:")).reshape(r, rollouts * (t - 1));
        NDArray coherence = bigram.gather(pairs, 1).reshape(r, rollouts, t - 1).sum(new int[] {2});
        NDArray pattern = tokens.eq(target.expandDims(1)).toType(DataType.FLOAT32, false).sum(new int[] {2});
        return local.add(coherence).add(pattern.mul(cfg.patternWeight())).div(t);
    }

    /**
     * The quality table a biased judge believes in: the world's worst token raised by
     * {@code bias[r]} at every position, {@code [R, T, V]}.
     */
    NDArray judgeQuality(NDArray bias) {
        NDArray favoured = favouredToken.oneHot(cfg.vocab(), DataType.FLOAT32).expandDims(1); // [R, 1, V]
        return quality.add(favoured.mul(bias.reshape(-1, 1, 1)));
    }

    /** Quality of the sampled tokens {@code [R, B, T]}. */
    NDArray tokenQuality(NDArray tokens) {
        long[] s = tokens.getShape().getShape();
        return qualityFlat.gather(tokens.add(positionOffset).reshape(s[0], s[1] * s[2]), 1).reshape(s);
    }

    /** q(t, v) of world {@code run}, on the host, for exact reference computations in tests and reports. */
    double quality(int run, int position, int token) {
        return hosts[run].quality(position, token);
    }
}
