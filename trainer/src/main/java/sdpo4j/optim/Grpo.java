package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * GRPO (SPEC 5): group-normalised sequence advantage broadcast over tokens, clipped
 * importance ratio, optional k3 KL to a frozen reference.
 */
public final class Grpo implements Objective {
    /** Added to the group std; the value TRL and verl use. */
    static final double STD_EPSILON = 1e-6;

    private final GrpoConfig cfg;
    private final double temperature;

    public Grpo(GrpoConfig cfg, double temperature) {
        this.cfg = cfg;
        this.temperature = temperature;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        StudentTerms s = new StudentTerms(batch, temperature);
        Map<String, NDArray> metrics = s.commonMetrics();
        NDArray runLoss = runLoss(s, cfg, metrics);
        NDArray weight = cfg.aggregation() == Aggregation.TOKEN_MEAN
                ? Reductions.tokenCount(batch.mask())
                : Reductions.responseCount(batch.rewards());
        return ObjectiveResult.of(runLoss, weight, metrics);
    }

    /**
     * Group-normalised advantage {@code [R, N]}. The std is the unbiased sample std, as in
     * TRL and verl; a group of one has no baseline information and gets advantage 0.
     */
    public static NDArray groupAdvantage(NDArray rewards, int groupSize, boolean scaleStd) {
        long runs = rewards.getShape().get(0);
        long n = rewards.getShape().get(1);
        if (groupSize == 1) {
            return rewards.zerosLike();
        }
        NDArray grouped = rewards.reshape(runs, n / groupSize, groupSize);
        NDArray centred = grouped.sub(grouped.mean(new int[] {2}, true));
        if (scaleStd) {
            NDArray std = Scalars.div(centred.square().sum(new int[] {2}, true), groupSize - 1).sqrt();
            centred = centred.div(Scalars.add(std, STD_EPSILON));
        }
        return centred.reshape(runs, n);
    }

    /**
     * Per-run loss; adds clip fraction (and k3 KL) to {@code metrics}. Shared with {@link Hybrid}. The
     * token-sum normaliser with {@code norm-length} 0 is the batch's response width (constant in the
     * simulator; {@code train} sets {@code max-new-tokens}, since its micro-batches are padded to their own longest).
     */
    static NDArray runLoss(StudentTerms s, GrpoConfig cfg, Map<String, NDArray> metrics) {
        PolicyBatch batch = s.batch;
        NDArray advantage = (batch.advantages() != null ? batch.advantages()
                : groupAdvantage(batch.rewards(), batch.groupSize(), cfg.scaleStd())).expandDims(2);
        NDArray old = batch.oldLogProbs() == null ? s.tokenLogProbs().stopGradient() : batch.oldLogProbs();
        NDArray logRatio = s.tokenLogProbs().sub(old);
        if (cfg.importanceSampling() == ImportanceSampling.SEQUENCE) {
            // GSPO: the response's token-mean log-ratio, the same for each of its tokens.
            logRatio = Reductions.tokenMeanPerResponse(logRatio, batch.mask()).expandDims(2).broadcast(logRatio.getShape());
        }
        NDArray ratio = logRatio.exp();
        NDArray clipped = ratio.clip(1 - cfg.epsLow(), 1 + cfg.epsHigh());
        NDArray unclippedObjective = ratio.mul(advantage);
        NDArray clippedObjective = clipped.mul(advantage);
        NDArray perToken = unclippedObjective.minimum(clippedObjective).neg();
        metrics.put("clip_frac", Reductions.tokenMean(
                clippedObjective.lt(unclippedObjective).toType(perToken.getDataType(), false), batch.mask()));
        if (cfg.klBeta() > 0) {
            if (batch.refLogProbs() == null) {
                throw new IllegalArgumentException("grpo kl-beta > 0 needs reference log-probs (PolicyBatch.refLogProbs)");
            }
            NDArray refLogRatio = batch.refLogProbs().sub(s.tokenLogProbs());
            NDArray k3 = Scalars.sub(refLogRatio.exp().sub(refLogRatio), 1);
            perToken = perToken.add(Scalars.mul(k3, cfg.klBeta()));
            metrics.put("ref_kl", Reductions.tokenMean(k3.stopGradient(), batch.mask()));
        }
        return switch (cfg.aggregation()) {
            case TOKEN_MEAN -> Reductions.tokenMean(perToken, batch.mask());
            case SEQ_MEAN_TOKEN_MEAN -> Reductions.seqMeanTokenMean(perToken, batch.mask());
            case SEQ_MEAN_TOKEN_SUM_NORM -> Scalars.div(perToken.mul(batch.mask()).sum(new int[] {2}).mean(new int[] {1}),
                    cfg.normLength() > 0 ? cfg.normLength() : batch.mask().getShape().get(2));
        };
    }
}
