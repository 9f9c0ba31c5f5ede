package sdpo4j.optim;

import ai.djl.ndarray.NDArray;

/**
 * The seed paper's advantage-weighted baseline (eq. 5): the sequence advantage is spread over
 * tokens in proportion to a per-token quality estimate,
 * {@code A_it = (R_i - mean R) * qc_it / (sum_t |qc_it| + eps)} with {@code qc} the centred
 * quality of the sampled token that the backend supplies.
 */
public final class AdvantageWeighted implements Objective {
    private final double temperature;
    private final double epsilon;

    public AdvantageWeighted(double temperature, double epsilon) {
        this.temperature = temperature;
        this.epsilon = epsilon;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        if (batch.tokenQuality() == null) {
            throw new IllegalArgumentException(
                    "advantage-weighted needs a per-token quality estimate (PolicyBatch.tokenQuality); "
                            + "only environments that expose token quality can use it");
        }
        StudentTerms s = new StudentTerms(batch, temperature);
        NDArray quality = batch.tokenQuality().mul(batch.mask());
        NDArray weights = quality.div(quality.abs().sum(new int[] {2}, true).add(epsilon));
        NDArray advantage = s.batchCentredRewards().expandDims(2).mul(weights);
        // Same aggregation as every other objective (token mean, then response mean), so that
        // learning rates carry over between objectives.
        NDArray runLoss = Reductions.seqMeanTokenMean(s.tokenLogProbs().mul(advantage).neg(), batch.mask());
        return ObjectiveResult.of(runLoss, Reductions.responseCount(batch.rewards()), s.commonMetrics());
    }
}
