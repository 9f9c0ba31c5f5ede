package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Map;

/**
 * The seed paper's hybrid (eq. 6): {@code a * sdpo + (1 - a) * fallback} with a per-run weight
 * {@code a = sigmoid((KL(teacher||student) - tau) / (tau/3))} from the detached mean
 * teacher-student KL, so informative feedback leans on dense distillation and uninformative
 * feedback on the sparse reward signal.
 *
 * <p>As one micro-batch of a larger mini-batch ({@link PolicyBatch#totals}), each term becomes
 * this micro-batch's share of that term's mini-batch mean (the distillation over the mini-batch's
 * responses with a teacher, the fallback over its responses or tokens), so that the step's
 * response-weighted sum of micro-batches is the whole mini-batch's loss. The KL rule's {@code a}
 * would need the whole mini-batch's KL before its first micro-batch: that combination is refused
 * ({@code train}'s degenerate settings), and here only {@code force-alpha} is accepted with totals.
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

        NDArray distill = d.aggregate(d.perToken());
        NDArray sparse = cfg.fallback() == ObjectiveKind.GRPO
                ? Grpo.runLoss(s, grpo, metrics)
                : Reinforce.runLoss(s);
        NDArray teacherKl = d.meanTeacherStudentKl();
        NDArray alpha = cfg.forceAlpha() != null
                ? Scalars.add(teacherKl.zerosLike(), cfg.forceAlpha())
                : Activation.sigmoid(Scalars.div(Scalars.sub(teacherKl, cfg.tau()), cfg.tau() / 3));

        d.addMetrics(metrics, distill);
        metrics.put("teacher_kl", teacherKl);
        metrics.put("alpha", alpha);
        NDArray responses = Reductions.responseCount(batch.rewards());
        BatchTotals totals = batch.totals();
        if (totals != null) {
            if (cfg.forceAlpha() == null) {
                throw new IllegalArgumentException("hybrid's KL rule reads the whole batch's KL: with micro-batches, set force-alpha");
            }
            boolean perToken = cfg.fallback() == ObjectiveKind.GRPO && grpo.aggregation() == Aggregation.TOKEN_MEAN;
            NDArray sparseCount = perToken ? Reductions.tokenCount(batch.mask()) : responses;
            double sparseTotal = perToken ? totals.tokens() : totals.responses();
            // Shares of the mini-batch means, rescaled by responses: the step weights this loss by them.
            double perResponse = totals.responses() / batch.tokens().getShape().get(1);
            distill = Scalars.mul(distill.mul(Scalars.maximum(d.weight(), 1.0)), perResponse / Math.max(totals.teachers(), 1.0));
            sparse = Scalars.mul(sparse.mul(sparseCount), perResponse / sparseTotal);
        }
        NDArray runLoss = distill.mul(alpha).add(sparse.mul(Scalars.add(alpha.neg(), 1)));
        return ObjectiveResult.of(runLoss, responses, metrics);
    }
}
