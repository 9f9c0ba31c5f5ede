package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Map;

/**
 * The seed paper's hybrid (eq. 6): {@code a * sdpo + (1 - a) * fallback} with a per-run weight
 * {@code a = sigmoid((KL(teacher||student) - tau) / (tau/3))} from the detached mean
 * teacher-student KL, so informative feedback leans on dense distillation and uninformative
 * feedback on the sparse reward signal.
 */
public final class Hybrid implements Objective {
    private final DivergenceConfig divergence;
    private final GrpoConfig grpo;
    private final HybridConfig cfg;

    public Hybrid(ObjectiveConfig cfg) {
        this.divergence = cfg.divergence();
        this.grpo = cfg.grpo();
        this.cfg = cfg.hybrid();
    }

    @Override
    public ObjectiveResult compute(PolicyBatch batch) {
        StudentTerms s = new StudentTerms(batch, divergence.temperature());
        Distillation d = new Distillation(s, divergence);
        Map<String, NDArray> metrics = s.commonMetrics();

        NDArray distill = d.aggregate(d.perToken(d.teacherOnSupport));
        NDArray sparse = cfg.fallback() == ObjectiveKind.GRPO
                ? Grpo.runLoss(s, grpo, metrics)
                : Reinforce.runLoss(s);
        NDArray teacherKl = d.meanTeacherStudentKl();
        NDArray alpha = cfg.forceAlpha() != null
                ? Scalars.add(teacherKl.zerosLike(), cfg.forceAlpha())
                : Activation.sigmoid(Scalars.div(Scalars.sub(teacherKl, cfg.tau()), cfg.tau() / 3));

        NDArray runLoss = distill.mul(alpha).add(sparse.mul(Scalars.add(alpha.neg(), 1)));
        d.addMetrics(metrics, distill);
        metrics.put("teacher_kl", teacherKl);
        metrics.put("alpha", alpha);
        return ObjectiveResult.of(runLoss, Reductions.responseCount(batch.rewards()), metrics);
    }
}
