package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * Credit (SPEC 4): SDPO whose teacher log-probs are debiased by a batch-contrastive baseline,
 * {@code f - (lambda / C) * sum_k g_k}, where {@code g_k} is the teacher with another prompt of
 * the batch in place of this one. The debiased vector is renormalised over the support, which
 * shifts the paper's {@code R_t(v)} by a per-position constant: the reverse-KL gradient is
 * unchanged, and alpha < 1 gets a proper distribution to mix. Lambda 0 is sdpo.
 */
public final class Credit implements Objective {
    private final DivergenceConfig cfg;
    private final double lambda;

    public Credit(DivergenceConfig cfg, double lambda) {
        if (cfg.mode() == DistillationMode.SAMPLED_TOKEN) {
            throw new IllegalArgumentException("credit debiases the teacher over a support: divergence.mode top-k or full");
        }
        this.cfg = cfg;
        this.lambda = lambda;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        List<NDArray> contrastive = Distillation.requireContrastive(batch);
        StudentTerms s = new StudentTerms(batch, cfg.temperature());
        Distillation d = new Distillation(s, cfg);

        // Each contrastive pass is normalised once and read twice: on the support for the
        // debiased teacher, and at the sampled tokens for the S_t metric.
        NDArray tokens = batch.tokens();
        NDArray contrastiveMean = null;
        NDArray contrastiveAtTokens = null;
        for (NDArray logits : contrastive) {
            NDArray logProbs = d.logProbs(logits);
            NDArray g = d.onSupport(logProbs);
            NDArray atTokens = Distributions.pick(logProbs, tokens);
            contrastiveMean = contrastiveMean == null ? g : contrastiveMean.add(g);
            contrastiveAtTokens = contrastiveAtTokens == null ? atTokens : contrastiveAtTokens.add(atTokens);
        }
        contrastiveMean = Scalars.div(contrastiveMean, contrastive.size());
        NDArray debiased = d.teacherOnSupport.sub(Scalars.mul(contrastiveMean, lambda));
        debiased = Distributions.floor(debiased.sub(Distributions.logSumExp(debiased, -1)));

        NDArray runLoss = d.aggregate(d.perToken(debiased));
        Map<String, NDArray> metrics = s.commonMetrics();
        d.addMetrics(metrics, runLoss);
        metrics.put("credit_signal", inputSpecificSignal(d, tokens, Scalars.div(contrastiveAtTokens, contrastive.size())));
        return ObjectiveResult.of(runLoss, d.weight(), metrics);
    }

    /**
     * Mean input-specific signal S_t: teacher log-prob of the sampled token minus the mean of
     * the contrastive teachers' log-probs of it, over response tokens of responses with a teacher.
     */
    private static NDArray inputSpecificSignal(Distillation d, NDArray tokens, NDArray contrastiveAtTokens) {
        return d.aggregate(Distributions.pick(d.teacherLogProbs, tokens).sub(contrastiveAtTokens));
    }
}
