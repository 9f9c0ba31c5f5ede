package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Rejection-sampling fine-tuning, the SDPO referees' control: supervised steps on the group's
 * successful rollouts only. The loss is the negative log-likelihood of each successful response
 * (token mean within a response), averaged over the successful responses; failed ones contribute
 * nothing, and a batch without a success has zero loss and weight. Success is a reward at or
 * above {@code threshold}.
 */
public final class Rft implements Objective {
    private final double temperature;
    private final double threshold;

    public Rft(double temperature, double threshold) {
        this.temperature = temperature;
        this.threshold = threshold;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        StudentTerms s = new StudentTerms(batch, temperature);
        NDArray kept = batch.rewards().gte(threshold).toType(s.tokenLogProbs().getDataType(), false);
        NDArray nll = Reductions.tokenMeanPerResponse(s.tokenLogProbs().neg(), batch.mask());
        Map<String, NDArray> metrics = s.commonMetrics();
        metrics.put("kept_frac", kept.mean(new int[] {1}));
        return ObjectiveResult.of(Reductions.meanOverPresent(nll, kept), kept.sum(new int[] {1}), metrics);
    }
}
