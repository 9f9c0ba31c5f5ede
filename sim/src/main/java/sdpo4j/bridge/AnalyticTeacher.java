package sdpo4j.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.sim.Feedback;
import sdpo4j.sim.FeedbackType;
import sdpo4j.sim.Teachers;

/**
 * The simulator's analytic teacher (its {@link Teachers}, not a copy) evaluated on host
 * judgements: what a model reading the same feedback text should predict. Used to write the
 * learned teacher's corpus and to measure how close the learned teacher came.
 */
final class AnalyticTeacher {
    private AnalyticTeacher() {}

    /**
     * Teacher probabilities {@code [B][T][V]}, flattened, for judgements of the sequences
     * {@code judged} under policy logits {@code policy} ({@code [T][V]}).
     */
    static float[] probs(NDManager manager, double beta, SequenceWorld world, FeedbackType type, float[] policy,
            List<SequenceQuality.Judgement> judgements, List<int[]> judged) {
        int t = world.config().length();
        int v = world.config().vocab();
        int b = judgements.size();
        float[] quality = new float[t * v];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < v; j++) {
                quality[i * v + j] = (float) world.quality(i, j);
            }
        }
        float[] score = new float[b];
        float[] hints = new float[b * t];
        long[] tokens = new long[b * t];
        for (int k = 0; k < b; k++) {
            SequenceQuality.Judgement jd = judgements.get(k);
            score[k] = (float) jd.stated();
            for (int i = 0; i < t; i++) {
                hints[k * t + i] = jd.hints() == null ? 0 : (float) jd.hints()[i];
                tokens[k * t + i] = judged.get(k)[i];
            }
        }
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
            Teachers teachers = new Teachers(m, beta, new FeedbackType[] {type}, new double[] {1});
            NDArray logits = teachers.logits(m.create(policy, new Shape(1, t, v)), m.create(quality, new Shape(1, t, v)),
                    new Feedback(m.create(score, new Shape(1, b)), m.create(hints, new Shape(1, b, t))),
                    m.create(tokens, new Shape(1, b, t)));
            return logits.softmax(-1).toFloatArray();
        }
    }
}
