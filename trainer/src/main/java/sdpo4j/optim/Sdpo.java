package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * SDPO: distil the feedback-conditioned self-teacher into the student, token by token, with
 * the divergence of SPEC 1.1. Alpha 0 with K = V is the seed paper's eq. 3.
 */
public final class Sdpo implements Objective {
    private final DivergenceConfig cfg;

    public Sdpo(DivergenceConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        StudentTerms s = new StudentTerms(batch, cfg.temperature());
        Distillation d = new Distillation(s, cfg);
        NDArray runLoss = d.aggregate(d.perToken());
        Map<String, NDArray> metrics = s.commonMetrics();
        d.addMetrics(metrics, runLoss);
        return ObjectiveResult.of(runLoss, d.weight(), metrics);
    }
}
