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
    /** Every run's teacher temperature is exactly 1: dividing by it is skipped (x * 1 is x, bit for bit). */
    private final boolean unitTemperature;
    private final NDArray isCritique;
    private final NDArray isLiteral;
    /** 1 / teacher temperature, {@code [R, 1, 1, 1]}. */
    private final NDArray inverseTemperature;
    private final float[] hostInverseTemperature;

    private Teachers(double beta, boolean anyCritique, boolean anyLiteral, NDArray isCritique, NDArray isLiteral,
            NDArray inverseTemperature, float[] hostInverseTemperature) {
        this.beta = beta;
        this.anyCritique = anyCritique;
        this.anyLiteral = anyLiteral;
        this.isCritique = isCritique;
        this.isLiteral = isLiteral;
        this.inverseTemperature = inverseTemperature;
        this.hostInverseTemperature = hostInverseTemperature;
        boolean unit = true;
        for (float x : hostInverseTemperature) {
            unit &= x == 1f;
        }
        this.unitTemperature = unit;
    }

    /** The teachers of runs {@code [from, to)}. */
    public Teachers slice(int from, int to) {
        String range = from + ":" + to;
        return new Teachers(beta, anyCritique, anyLiteral, isCritique.get(range), isLiteral.get(range),
                inverseTemperature.get(range), java.util.Arrays.copyOfRange(hostInverseTemperature, from, to));
    }

    public Teachers(NDManager manager, double beta, FeedbackType[] types, double[] teacherTemperature) {
        this(beta, java.util.Arrays.asList(types).contains(FeedbackType.CRITIQUE),
                java.util.Arrays.asList(types).contains(FeedbackType.CRITIQUE_LITERAL),
                perRun(manager, types, FeedbackType.CRITIQUE), perRun(manager, types, FeedbackType.CRITIQUE_LITERAL),
                manager.create(inverse(teacherTemperature), new Shape(types.length, 1, 1, 1)), inverse(teacherTemperature));
    }

    private static NDArray perRun(NDManager manager, FeedbackType[] types, FeedbackType type) {
        float[] is = new float[types.length];
        for (int i = 0; i < types.length; i++) {
            is[i] = types[i] == type ? 1 : 0;
        }
        return manager.create(is, new Shape(types.length, 1, 1, 1));
    }

    private static float[] inverse(double[] temperature) {
        float[] inv = new float[temperature.length];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) (1 / temperature[i]);
        }
        return inv;
    }

    /**
     * Teacher logits {@code [R, B, T, V]} from the policy logits {@code [R, T, V]} (detached),
     * a world's quality table {@code [R, T, V]} (the rollout's own world, or a contrastive one),
     * the feedback and the sampled tokens {@code [R, B, T]} with their quality {@code [R, B, T]}.
     */
    public NDArray logits(NDArray policyLogits, NDArray quality, Feedback feedback, NDArray tokens) {
        return logits(policyLogits, anyCritique ? Distributions.softmax(policyLogits) : null, quality, feedback, tokens);
    }

    /**
     * As {@link #logits(NDArray, NDArray, Feedback, NDArray)}, with the policy's probabilities
     * {@code softmax(policyLogits)} given (the informative critique reads them; the simulator
     * has them from sampling). Per-run and per-rollout factors are combined while small, and
     * the full {@code [R, B, T, V]} tensor is made once and then updated in place, so that only
     * a few operations touch it and no other tensor of its size is allocated.
     */
    NDArray logits(NDArray policyLogits, NDArray policyProbs, NDArray quality, Feedback feedback, NDArray tokens) {
        NDArray scale = temper(feedback.score().expandDims(2).expandDims(3)).mul(beta); // [R,B,1,1]
        NDArray teacher = quality.expandDims(1).mul(scale).addi(temper(policyLogits.expandDims(1)));
        NDArray hints = feedback.hints().expandDims(3); // [R,B,T,1]
        if (anyLiteral) {
            // Literal critique: - beta * f * h_t, the same for every v.
            teacher.subi(hints.mul(scale).mul(isLiteral));
        }
        if (anyCritique) {
            // Informative critique: beta * (h_t - E_pi[q]) on the sampled token only.
            NDArray expectedQuality = policyProbs.mul(quality).sum(new int[] {2}, true).expandDims(1);
            NDArray onSampled = temper(hints.sub(expectedQuality).mul(isCritique)).mul(beta);
            // Added at the sampled ids only ([R, B, T, 1]), rather than as a one-hot [R, B, T, V]
            // times the shift: the same sums, one pass over the teacher instead of three.
            NDArray sampled = tokens.expandDims(3);
            teacher = teacher.scatter(sampled, teacher.gather(sampled, -1).add(onSampled), -1);
        }
        return teacher;
    }

    /** {@code x / teacher temperature} per run, as a product with the inverse. */
    private NDArray temper(NDArray x) {
        return unitTemperature ? x : x.mul(inverseTemperature);
    }
}
