package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * REINFORCE with a batch-mean baseline (seed paper eq. 4): every sampled token of a response
 * gets that response's sequence advantage {@code R_i - mean(R)}.
 */
public final class Reinforce implements Objective {
    private final double temperature;

    public Reinforce(double temperature) {
        this.temperature = temperature;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        StudentTerms s = new StudentTerms(batch, temperature);
        return ObjectiveResult.of(runLoss(s), Reductions.responseCount(batch.rewards()), s.commonMetrics());
    }

    /** Per-run loss from precomputed student terms (shared with {@link Hybrid}). */
    static NDArray runLoss(StudentTerms s) {
        NDArray advantage = s.batchCentredRewards().expandDims(2);
        NDArray perToken = s.tokenLogProbs().mul(advantage).neg();
        return Reductions.seqMeanTokenMean(perToken, s.batch.mask());
    }
}
