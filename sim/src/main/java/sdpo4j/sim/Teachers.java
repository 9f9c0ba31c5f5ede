package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import sdpo4j.optim.Distributions;

/**
 * The analytic feedback-conditioned self-teacher of the seed paper (eq. 2),
 * {@code l_T(t, v) = l(t, v) + beta * f * q(t, v)}, with the two critique forms of SPEC 2.3:
 * <ul>
 *   <li>informative critique: additionally {@code + beta * (h_t - E_pi[q(t, .)])} on the
 *       sampled token's logit, so a hint says whether the token written was better or worse
 *       than what the policy usually writes there;</li>
 *   <li>literal critique: {@code l + beta * f * (q - h_t)}, where {@code h_t} is constant over
 *       the vocabulary and cancels in the softmax (the paper's degenerate formula).</li>
 * </ul>
 * Per run, the teacher logits are divided by a teacher temperature (extension 2).
 */
public final class Teachers {
    private final double beta;
    private final boolean anyCritique;
    private final boolean anyLiteral;
    private final NDArray isCritique;
    private final NDArray isLiteral;
    /** 1 / teacher temperature, {@code [R, 1, 1, 1]}. */
    private final NDArray inverseTemperature;

    private Teachers(double beta, boolean anyCritique, boolean anyLiteral, NDArray isCritique, NDArray isLiteral,
            NDArray inverseTemperature) {
        this.beta = beta;
        this.anyCritique = anyCritique;
        this.anyLiteral = anyLiteral;
        this.isCritique = isCritique;
        this.isLiteral = isLiteral;
        this.inverseTemperature = inverseTemperature;
    }

    /** The teachers of runs {@code [from, to)}. */
    public Teachers slice(int from, int to) {
        String range = from + ":" + to;
        return new Teachers(beta, anyCritique, anyLiteral, isCritique.get(range), isLiteral.get(range),
                inverseTemperature.get(range));
    }

    public Teachers(NDManager manager, double beta, FeedbackType[] types, double[] teacherTemperature) {
        int r = types.length;
        float[] crit = new float[r];
        float[] lit = new float[r];
        float[] inv = new float[r];
        for (int i = 0; i < r; i++) {
            crit[i] = types[i] == FeedbackType.CRITIQUE ? 1 : 0;
            lit[i] = types[i] == FeedbackType.CRITIQUE_LITERAL ? 1 : 0;
            inv[i] = (float) (1 / teacherTemperature[i]);
        }
        Shape perRun = new Shape(r, 1, 1, 1);
        this.beta = beta;
        this.anyCritique = java.util.Arrays.asList(types).contains(FeedbackType.CRITIQUE);
        this.anyLiteral = java.util.Arrays.asList(types).contains(FeedbackType.CRITIQUE_LITERAL);
        this.isCritique = manager.create(crit, perRun);
        this.isLiteral = manager.create(lit, perRun);
        this.inverseTemperature = manager.create(inv, perRun);
    }

    /**
     * Teacher logits {@code [R, B, T, V]} from the policy logits {@code [R, T, V]} (detached),
     * a world's quality table {@code [R, T, V]} (the rollout's own world, or a contrastive one),
     * the feedback and the sampled tokens {@code [R, B, T]} with their quality {@code [R, B, T]}.
     * Per-run and per-rollout factors are combined while small, so that only a few operations
     * touch the full {@code [R, B, T, V]} tensor.
     */
    public NDArray logits(NDArray policyLogits, NDArray quality, Feedback feedback, NDArray tokens) {
        NDArray scale = feedback.score().expandDims(2).expandDims(3).mul(inverseTemperature).mul(beta); // [R,B,1,1]
        NDArray teacher = quality.expandDims(1).mul(scale).add(policyLogits.expandDims(1).mul(inverseTemperature));
        NDArray hints = feedback.hints().expandDims(3); // [R,B,T,1]
        if (anyLiteral) {
            // Literal critique: - beta * f * h_t, the same for every v.
            teacher = teacher.sub(hints.mul(scale).mul(isLiteral));
        }
        if (anyCritique) {
            // Informative critique: beta * (h_t - E_pi[q]) on the sampled token only.
            NDArray expectedQuality = Distributions.softmax(policyLogits).mul(quality).sum(new int[] {2}, true).expandDims(1);
            NDArray onSampled = hints.sub(expectedQuality).mul(isCritique).mul(inverseTemperature).mul(beta);
            // Added at the sampled ids only ([R, B, T, 1]), rather than as a one-hot [R, B, T, V]
            // times the shift: the same sums, one pass over the teacher instead of three.
            NDArray sampled = tokens.expandDims(3);
            teacher = teacher.scatter(sampled, teacher.gather(sampled, -1).add(onSampled), -1);
        }
        return teacher;
    }
}
