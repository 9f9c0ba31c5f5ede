package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.PolicyBatch;

/**
 * What a caller adds to a {@link SelfDistillationStep} without a copy of it: per-token inputs
 * that its task knows and a text environment does not (which positions are decisions, how good
 * each token is), and a look at each micro-batch after its backward. {@code train} uses
 * {@link #NONE}; the bridge trains the simulator's symbol positions, gives advantage-weighted its
 * token quality and measures credit assignment on the logits' gradient.
 *
 * <p>A micro-batch is named by {@code from}, the index of its first response in the rollout
 * batch (responses run group after group, in the order of {@link SelfDistillationStep#rollouts}).
 */
public interface StepHooks {
    /** Every response token trains; no token quality; nothing measured. */
    StepHooks NONE = new StepHooks() {};

    /** The positions the objective trains, {@code [n, L]}: by default every response token ({@code responseMask}). */
    default NDArray trainedPositions(NDManager m, int from, NDArray responseMask) {
        return responseMask;
    }

    /**
     * The per-token quality of the sampled tokens, {@code [n, L]} (advantage-weighted's input,
     * {@link PolicyBatch#tokenQuality}), or null when the task has none.
     */
    default NDArray tokenQuality(NDManager m, int from, Shape tokens) {
        return null;
    }

    /** Called once per micro-batch after its backward, before the optimizer step. */
    default void afterBackward(NDManager m, int from, Backward done) {}

    /**
     * A micro-batch after its backward.
     *
     * @param logits the student's logits {@code [n, L, V]}
     * @param batch what the objective read (its student logits are {@code logits} with a run axis)
     * @param result what the objective returned
     * @param objective the objective
     */
    record Backward(NDArray logits, PolicyBatch batch, ObjectiveResult result, Objective objective) {
        /**
         * The gradient of the objective's loss (unweighted) with respect to the student's
         * logits, {@code [n, L, V]}: the objective again on a detached copy of the logits,
         * differentiated there. Minus it is the update direction on the logits, which is
         * what the simulator's credit-assignment correlation measures.
         */
        public NDArray logitGradient() {
            NDArray leaf = logits.stopGradient().duplicate();
            leaf.setRequiresGradient(true);
            PolicyBatch b = batch;
            try (Autograd.Recording rec = Autograd.record()) {
                rec.backward(objective.compute(new PolicyBatch(leaf.expandDims(0), b.tokens(), b.mask(), b.rewards(),
                        b.groupSize(), b.oldLogProbs(), b.refLogProbs(), b.teacherLogits(), b.hasTeacher(),
                        b.contrastiveLogits(), b.tokenQuality(), b.totals(), b.advantages())).loss());
            }
            return leaf.getGradient();
        }
    }
}
