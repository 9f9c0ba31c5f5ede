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
        this.cfg = cfg;
        this.lambda = lambda;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        List<NDArray> contrastive = Distillation.requireContrastive(batch);
        StudentTerms s = new StudentTerms(batch, cfg.temperature());
        Distillation d = new Distillation(s, cfg);

        NDArray contrastiveMean = null;
        for (NDArray logits : contrastive) {
            NDArray g = d.onSupport(logits);
            contrastiveMean = contrastiveMean == null ? g : contrastiveMean.add(g);
        }
        contrastiveMean = contrastiveMean.div(contrastive.size());
        NDArray debiased = d.teacherOnSupport.sub(contrastiveMean.mul(lambda));
        debiased = Distributions.floor(debiased.sub(Distributions.logSumExp(debiased, -1)));

        NDArray runLoss = d.aggregate(d.perToken(debiased));
        Map<String, NDArray> metrics = s.commonMetrics();
        d.addMetrics(metrics, runLoss);
        metrics.put("credit_signal", inputSpecificSignal(s, d, contrastive));
        return ObjectiveResult.of(runLoss, metrics);
    }

    /**
     * Mean input-specific signal S_t: teacher log-prob of the sampled token minus the mean of
     * the contrastive teachers' log-probs of it, over response tokens of responses with a teacher.
     */
    private NDArray inputSpecificSignal(StudentTerms s, Distillation d, List<NDArray> contrastive) {
        NDArray tokens = s.batch.tokens();
        NDArray teacher = Distributions.pick(
                Distributions.logSoftmax(s.batch.teacherLogits().stopGradient(), cfg.temperature()), tokens);
        NDArray baseline = null;
        for (NDArray logits : contrastive) {
            NDArray g = Distributions.pick(Distributions.logSoftmax(logits.stopGradient(), cfg.temperature()), tokens);
            baseline = baseline == null ? g : baseline.add(g);
        }
        NDArray signal = teacher.sub(baseline.div(contrastive.size()));
        return d.aggregate(signal);
    }
}
