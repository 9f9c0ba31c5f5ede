package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * The self-distillation pieces shared by sdpo, credit and hybrid: student and teacher
 * restricted to a common support, per-token divergence, and its aggregation (SPEC 1.1).
 */
final class Distillation {
    final StudentTerms student;
    final DivergenceConfig cfg;
    /** Support ids {@code [R, N, L, K]}, or null for the whole vocabulary. */
    final NDArray ids;
    /** Student log-probs on the support {@code [R, N, L, K(+1)]}, with gradient. */
    final NDArray studentOnSupport;
    /** Teacher log-probs on the support, no gradient. */
    final NDArray teacherOnSupport;
    /** Teacher log-probs over the whole vocabulary {@code [R, N, L, V]}, no gradient. */
    final NDArray teacherLogProbs;
    /** With the tail bucket, -inf on the support {@code [R, N, L, V]} (TopKDivergence.tailMask); else null. */
    private final NDArray tailMask;
    /** 1 for responses with a teacher context, {@code [R, N]}. */
    final NDArray hasTeacher;

    Distillation(StudentTerms student, DivergenceConfig cfg) {
        PolicyBatch batch = student.batch;
        if (batch.teacherLogits() == null) {
            throw new IllegalArgumentException("self-distillation needs teacher logits (PolicyBatch.teacherLogits)");
        }
        this.student = student;
        this.cfg = cfg;
        NDArray teacher = logProbs(batch.teacherLogits());
        this.teacherLogProbs = teacher;
        // Over the whole vocabulary a shared (factored) student broadcasts against the teacher;
        // a top-K support differs per response, so the student is expanded to gather from it.
        NDArray support = TopKDivergence.supportIds(student.logProbs, teacher, cfg);
        this.ids = support == null ? null : support.broadcast(teacher.getShape().slice(0, 3).add(cfg.topK()));
        this.tailMask = TopKDivergence.tailMask(ids, teacher, cfg.tailBucket());
        this.studentOnSupport = TopKDivergence.restrict(this.ids == null ? student.logProbs : student.expanded(), this.ids, tailMask);
        this.teacherOnSupport = TopKDivergence.restrict(teacher, ids, tailMask);
        this.hasTeacher = batch.hasTeacher() != null ? batch.hasTeacher() : batch.rewards().onesLike();
    }

    /** Detached log-probs of another teacher pass (e.g. Credit's contrastive ones), at the temperature. */
    NDArray logProbs(NDArray logits) {
        try (NDArray detached = logits.stopGradient()) {
            return Distributions.logSoftmax(detached, cfg.temperature());
        }
    }

    /** Full-vocabulary log-probs restricted to this batch's support. */
    NDArray onSupport(NDArray logProbs) {
        return TopKDivergence.restrict(logProbs, ids, tailMask);
    }

    /** Responses with a teacher: the denominator of {@link #aggregate}, {@code [R]}. */
    NDArray weight() {
        return hasTeacher.sum(new int[] {1});
    }

    /**
     * Per-token loss against this batch's teacher in the configured mode: the divergence over the
     * support, or in {@code sampled-token} mode {@code sg(log s(y) - log t(y)) * log s(y)} at the
     * sampled token y, whose gradient is a one-sample estimate of the reverse KL's (its expectation
     * over {@code y ~ s} is exactly that gradient: {@code E_s[grad log s] = 0}).
     */
    NDArray perToken() {
        if (cfg.mode() == DistillationMode.SAMPLED_TOKEN) {
            NDArray s = student.tokenLogProbs();
            return importanceWeighted(sampledLogRatio().mul(s));
        }
        return perToken(teacherOnSupport);
    }

    /** {@code log s(y) - log t(y)} at the sampled tokens, detached: the sampled-token estimate of the reverse KL. */
    private NDArray sampledLogRatio() {
        return student.tokenLogProbs().stopGradient().sub(Distributions.pick(teacherLogProbs, student.batch.tokens()));
    }

    /** Per-token divergence to {@code teacher} over the support, importance-weighted when off-policy. */
    NDArray perToken(NDArray teacher) {
        return importanceWeighted(TopKDivergence.divergence(studentOnSupport, teacher, cfg.alpha()));
    }

    private NDArray importanceWeighted(NDArray perToken) {
        NDArray ratio = student.importanceRatio(cfg.isClip());
        return ratio == null ? perToken : perToken.mul(ratio);
    }

    /** Token mean within a response, then mean over the responses that have a teacher. */
    NDArray aggregate(NDArray perToken) {
        return Reductions.meanOverPresent(
                Reductions.tokenMeanPerResponse(perToken, student.batch.mask()), hasTeacher);
    }

    /** Mean forward KL(teacher || student) per run, detached: the hybrid's informativeness. */
    NDArray meanTeacherStudentKl() {
        return aggregate(TopKDivergence.divergence(studentOnSupport, teacherOnSupport, 0.0)).stopGradient();
    }

    /**
     * Adds the distillation metrics every teacher-based objective reports. In {@code sampled-token}
     * mode the loss's value is not a divergence, and {@code kl} is the sampled estimate
     * {@code log s(y) - log t(y)} aggregated like the loss.
     */
    void addMetrics(Map<String, NDArray> metrics, NDArray runLoss) {
        metrics.put("kl", cfg.mode() == DistillationMode.SAMPLED_TOKEN ? aggregate(sampledLogRatio()) : runLoss.stopGradient());
        metrics.put("teacher_frac", hasTeacher.mean(new int[] {1}));
    }

    static List<NDArray> requireContrastive(PolicyBatch batch) {
        if (batch.contrastiveLogits().isEmpty()) {
            throw new IllegalArgumentException(
                    "credit needs at least one contrastive teacher pass (PolicyBatch.contrastiveLogits)");
        }
        return batch.contrastiveLogits();
    }
}
