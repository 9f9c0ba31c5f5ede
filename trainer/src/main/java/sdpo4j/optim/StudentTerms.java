package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The student-side quantities every objective needs, computed once per batch: full
 * log-probabilities at temperature, log-probs of the sampled tokens, and the metrics all
 * objectives report (SPEC 1: reward, entropy).
 */
final class StudentTerms {
    final PolicyBatch batch;
    /** Full log-probabilities, {@code [R, N, L, V]} or {@code [R, 1, L, V]} as the student logits came. */
    final NDArray logProbs;
    private NDArray tokenLogProbs;

    StudentTerms(PolicyBatch batch, double temperature) {
        this.batch = batch;
        this.logProbs = Distributions.logSoftmax(batch.studentLogits(), temperature);
    }

    /**
     * Log-probabilities of the sampled tokens {@code [R, N, L]}, picked on first use: the
     * distillation objectives on-policy never read them, and the pick from a factored student
     * gathers through a broadcast over every response.
     */
    NDArray tokenLogProbs() {
        if (tokenLogProbs == null) {
            tokenLogProbs = Distributions.pick(expanded(), batch.tokens());
        }
        return tokenLogProbs;
    }

    /** Log-probabilities with the response axis at full size N (a view when it was 1). */
    NDArray expanded() {
        long n = batch.tokens().getShape().get(1);
        if (logProbs.getShape().get(1) == n) {
            return logProbs;
        }
        long[] shape = logProbs.getShape().getShape().clone();
        shape[1] = n;
        return logProbs.broadcast(shape);
    }

    /** Detached {@code exp(logp_new - logp_old)}, clamped to at most {@code clip}; null on-policy. */
    NDArray importanceRatio(double clip) {
        if (batch.oldLogProbs() == null) {
            return null;
        }
        return Scalars.minimum(tokenLogProbs().stopGradient().sub(batch.oldLogProbs()).exp(), clip);
    }

    /** Reward mean and std and policy entropy per run, the metrics every objective reports. */
    Map<String, NDArray> commonMetrics() {
        Map<String, NDArray> m = new LinkedHashMap<>();
        NDArray rewards = batch.rewards();
        NDArray mean = rewards.mean(new int[] {1});
        m.put("reward_mean", mean);
        m.put("reward_std", rewards.sub(mean.expandDims(1)).square().mean(new int[] {1}).sqrt());
        try (NDArray detached = logProbs.stopGradient()) {
            m.put("entropy", Reductions.tokenMean(Distributions.entropy(detached), batch.mask()));
        }
        return m;
    }

    /**
     * Sequence reward minus the run's batch mean, {@code [R, N]} (seed paper eq. 4); the mean of
     * the whole mini-batch when this batch is one micro-batch of it.
     */
    NDArray batchCentredRewards() {
        NDArray r = batch.rewards();
        if (batch.totals() != null) {
            return Scalars.sub(r, batch.totals().rewardMean());
        }
        return r.sub(r.mean(new int[] {1}, true));
    }
}
