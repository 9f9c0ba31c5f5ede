package sdpo4j.bridge;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.sim.ExperimentSets;
import sdpo4j.sim.FeedbackType;
import sdpo4j.train.PretrainCorpus;

/**
 * The text that makes a small decoder a learned version of the simulator's teacher. For every
 * world of the bridge:
 * <ul>
 *   <li>the bare prompt, answered by the uniform initial policy (the simulator's zero logits);</li>
 *   <li>the teacher context (prompt plus a judge's feedback on some earlier sequence, in each of
 *       the four feedback types), answered by a sequence drawn from the analytic teacher
 *       {@code softmax(0 + beta * f * q)} for the feedback the text states (critique: plus the
 *       hint's shift on the critiqued tokens).</li>
 * </ul>
 * The critiqued sequences come from {@code softmax(gamma * q)} with gamma uniform in [-1, 3],
 * so the feedback covers poor to good sequences, as it will during training.
 */
final class TeacherCorpus {
    static final List<FeedbackType> TYPES = ExperimentSets.PAPER_FEEDBACK;

    private TeacherCorpus() {}

    /** A judged sequence and what the judge said about it. */
    record Judged(int[] sequence, SequenceQuality.Judgement judgement) {}

    static List<PretrainCorpus.Example> build(NDManager manager, BridgeConfig cfg, BridgeWorlds worlds,
            TeacherContexts contexts, long seed) {
        List<PretrainCorpus.Example> out = new ArrayList<>();
        int t = cfg.world().length();
        int v = cfg.world().vocab();
        float[] uniform = new float[t * v];
        for (int s = 0; s < cfg.seeds(); s++) {
            long worldSeed = cfg.seed() + s;
            SequenceWorld w = worlds.world(worldSeed);
            String prompt = worlds.prompt(worldSeed);
            SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + worldSeed);
            int n = cfg.pretrain().examplesPerWorld();
            int plain = (int) Math.round(n * cfg.pretrain().plainShare());
            for (int i = 0; i < plain; i++) {
                int[] y = new int[t];
                for (int k = 0; k < t; k++) {
                    y[k] = rng.nextInt(v);
                }
                out.add(new PretrainCorpus.Example(prompt, SequenceQuality.render(y)));
            }
            int perType = (n - plain) / TYPES.size();
            for (FeedbackType type : TYPES) {
                List<Judged> judged = judge(worlds, w, type, cfg.pretrain().judgeSigma(), perType, rng);
                float[] p = AnalyticTeacher.probs(manager, cfg.beta(), w, type, uniform,
                        judged.stream().map(Judged::judgement).toList(), judged.stream().map(Judged::sequence).toList());
                for (int k = 0; k < judged.size(); k++) {
                    int[] y = new int[t];
                    for (int i = 0; i < t; i++) {
                        y[i] = categorical(p, (k * t + i) * v, v, rng);
                    }
                    String teacherTurn = contexts.render(prompt, new TeacherContexts.Context(null, judged.get(k).judgement().text()));
                    out.add(new PretrainCorpus.Example(teacherTurn, SequenceQuality.render(y)));
                }
            }
        }
        return out;
    }

    /** {@code n} sequences from {@code softmax(gamma * q)}, gamma ~ U(-1, 3), with a judge's verdict on each. */
    static List<Judged> judge(BridgeWorlds worlds, SequenceWorld w, FeedbackType type, double sigma, int n, SplittableRandom rng) {
        SequenceQuality judge = worlds.env(type, sigma);
        int t = w.config().length();
        int v = w.config().vocab();
        List<Judged> out = new ArrayList<>();
        float[] row = new float[v];
        for (int k = 0; k < n; k++) {
            double gamma = -1 + 4 * rng.nextDouble();
            int[] s = new int[t];
            for (int i = 0; i < t; i++) {
                double z = 0;
                for (int j = 0; j < v; j++) {
                    row[j] = (float) Math.exp(gamma * w.quality(i, j));
                    z += row[j];
                }
                for (int j = 0; j < v; j++) {
                    row[j] /= z;
                }
                s[i] = categorical(row, 0, v, rng);
            }
            out.add(new Judged(s, judge.judge(w, s, rng)));
        }
        return out;
    }

    /** Inverse-CDF draw from {@code probs[offset .. offset + v)}. */
    static int categorical(float[] probs, int offset, int v, SplittableRandom rng) {
        double u = rng.nextDouble();
        double cdf = 0;
        for (int j = 0; j < v - 1; j++) {
            cdf += probs[offset + j];
            if (u < cdf) {
                return j;
            }
        }
        return v - 1;
    }
}
