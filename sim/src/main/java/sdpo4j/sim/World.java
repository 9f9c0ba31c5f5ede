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
 * sequence-quality environment builds), copied into per-run tensors and kept on the host for
 * the per-step lookups ({@link #rollouts}).
 */
public final class World {
    final WorldConfig cfg;
    /** Token quality {@code [R, T, V]}. */
    final NDArray quality;
    /** Per world, the token with the lowest mean quality: what a biased judge over-rewards. */
    final NDArray favouredToken;
    /** The same tables on the host, float32 as the tensors hold them: {@code [R][T][V]}, {@code [R][V][V]}, {@code [R][T]}. */
    private final float[] hostQuality;
    private final float[] hostBigram;
    private final int[] hostTarget;
    private final int[] hostFavoured;
    private final SequenceWorld[] hosts;

    World(NDManager manager, WorldConfig cfg, long[] seeds) {
        this.cfg = cfg;
        int r = seeds.length;
        int t = cfg.length();
        int v = cfg.vocab();
        hosts = new SequenceWorld[r];
        float[] q = new float[r * t * v];
        float[] b = new float[r * v * v];
        int[] target = new int[r * t];
        int[] favoured = new int[r];
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
        this.hostQuality = q;
        this.hostBigram = b;
        this.hostTarget = target;
        this.hostFavoured = favoured;
        this.quality = manager.create(q, new Shape(r, t, v));
        this.favouredToken = manager.create(java.util.Arrays.stream(favoured).asLongStream().toArray(), new Shape(r));
    }

    /**
     * Sampled sequences {@code tokens[R][B][T]} (flattened) with every table entry the world
     * reads off them, looked up here on the host: a lookup copies a float32 value and a count
     * of positions is a small integer, so the tensors hold exactly what gathers and comparisons
     * on the engine gave, and a step makes five tensors instead of some twenty small index
     * operations, each of which pays the engine's fixed cost per operation.
     */
    Rollouts rollouts(NDManager m, long[] tokens, int rollouts) {
        int t = cfg.length();
        int v = cfg.vocab();
        int r = tokens.length / (rollouts * t);
        float[] q = new float[tokens.length];
        float[] b = new float[r * rollouts * (t - 1)];
        float[] matches = new float[r * rollouts];
        float[] favoured = new float[r * rollouts];
        for (int run = 0; run < r; run++) {
            for (int k = 0; k < rollouts; k++) {
                int seq = run * rollouts + k;
                int hit = 0;
                int worst = 0;
                for (int pos = 0; pos < t; pos++) {
                    int tok = (int) tokens[seq * t + pos];
                    q[seq * t + pos] = hostQuality[(run * t + pos) * v + tok];
                    if (pos + 1 < t) {
                        b[seq * (t - 1) + pos] = hostBigram[(run * v + tok) * v + (int) tokens[seq * t + pos + 1]];
                    }
                    hit += tok == hostTarget[run * t + pos] ? 1 : 0;
                    worst += tok == hostFavoured[run] ? 1 : 0;
                }
                matches[seq] = hit;
                // A mean over positions: the sum (exact), divided once.
                favoured[seq] = (float) worst / t;
            }
        }
        return new Rollouts(m.create(tokens, new Shape(r, rollouts, t)), m.create(q, new Shape(r, rollouts, t)),
                m.create(b, new Shape(r, rollouts, t - 1)), m.create(matches, new Shape(r, rollouts)),
                m.create(favoured, new Shape(r, rollouts)));
    }

    /** Rewards {@code [R, B]} of rollouts. */
    NDArray reward(Rollouts s) {
        return Activation.sigmoid(score(s));
    }

    /** The reward before the sigmoid, {@code [R, B]}. */
    NDArray score(Rollouts s) {
        NDArray local = s.quality().sum(new int[] {2});
        NDArray coherence = s.bigram().sum(new int[] {2});
        return local.add(coherence).add(s.matches().mul(cfg.patternWeight())).div(cfg.length());
    }

    /**
     * The quality table a biased judge believes in: the world's worst token raised by
     * {@code bias[r]} at every position, {@code [R, T, V]}.
     */
    NDArray judgeQuality(NDArray bias) {
        NDArray favoured = favouredToken.oneHot(cfg.vocab(), DataType.FLOAT32).expandDims(1); // [R, 1, V]
        return quality.add(favoured.mul(bias.reshape(-1, 1, 1)));
    }

    /** q(t, v) of world {@code run}, on the host, for exact reference computations in tests and reports. */
    double quality(int run, int position, int token) {
        return hosts[run].quality(position, token);
    }

    /** The host world of run {@code run}. */
    SequenceWorld host(int run) {
        return hosts[run];
    }
}
