package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Per-token divergence between a student and a teacher over a top-K support (SPEC 1.1).
 *
 * <p>Both sides are normalised over the full vocabulary first, then restricted to the
 * support. The tail bucket holds the mass outside the support; it is computed as the
 * log-sum-exp of the entries outside the support, which equals {@code log(1 - sum_K p)} but
 * stays exact where {@code 1 - sum_K p} would round to zero. This is the one form kept (the
 * SPEC's {@code log(-expm1(min(lse_K, -1e-7)))} is the same in exact arithmetic); its clamp is
 * the floor on log-probabilities, so a tail of probability zero (a masked vocabulary) gives
 * finite values and gradients.
 */
public final class TopKDivergence {

    private TopKDivergence() {}

    /**
     * Token ids of the support, {@code [..., K]}, or null when the support is the whole
     * vocabulary (K >= V, or mode {@code full}). Ids are chosen on detached log-probabilities: the choice of support is
     * not differentiated.
     */
    static NDArray supportIds(NDArray studentLogProbs, NDArray teacherLogProbs, DivergenceConfig cfg) {
        long vocab = studentLogProbs.getShape().get(studentLogProbs.getShape().dimension() - 1);
        if (cfg.topK() >= vocab || cfg.mode() == DistillationMode.FULL) {
            return null;
        }
        NDArray source = cfg.topkSource() == TopKSource.STUDENT ? studentLogProbs : teacherLogProbs;
        try (NDArray detached = source.stopGradient(); NDList top = detached.topK(cfg.topK(), -1, true, false)) {
            NDArray ids = top.get(1);
            top.remove(1);
            return ids;
        }
    }

    /**
     * Restricts full-vocabulary log-probabilities to the support, as a normalised
     * distribution of K+1 entries (tail bucket) or K entries (renormalised).
     */
    static NDArray restrict(NDArray logProbs, NDArray ids, boolean tailBucket) {
        return restrict(logProbs, ids, tailMask(ids, logProbs, tailBucket));
    }

    /**
     * With the tail bucket, {@code -inf} on the support and 0 elsewhere, {@code [..., V]} like
     * {@code logProbs}: added to log-probabilities it leaves the tail bucket's entries. One per
     * support, shared by every distribution restricted to it. Null without the tail bucket or
     * without a support (the whole vocabulary).
     */
    static NDArray tailMask(NDArray ids, NDArray logProbs, boolean tailBucket) {
        if (!tailBucket || ids == null) {
            return null;
        }
        try (NDArray zeroIds = ids.zerosLike(); NDArray zeroOnSupport = zeroIds.toType(logProbs.getDataType(), false);
                NDArray minusInf = Scalars.sub(zeroOnSupport, Double.POSITIVE_INFINITY);
                NDArray detached = logProbs.stopGradient(); NDArray zeros = detached.zerosLike()) {
            return zeros.scatter(ids, minusInf, -1);
        }
    }

    /**
     * As {@link #restrict(NDArray, NDArray, boolean)}, with the tail bucket when {@code tailMask}
     * ({@link #tailMask}) is given, renormalised on the support when it is null.
     */
    static NDArray restrict(NDArray logProbs, NDArray ids, NDArray tailMask) {
        if (ids == null) {
            return logProbs;
        }
        NDArray onSupport = logProbs.gather(ids, -1);
        if (tailMask == null) {
            return Distributions.floor(onSupport.sub(Distributions.logSumExp(onSupport, -1)));
        }
        NDArray tail;
        try (NDArray outside = logProbs.add(tailMask); NDArray lse = Distributions.logSumExp(outside, -1)) {
            tail = Distributions.floor(lse);
        }
        return NDArrays.concat(new NDList(onSupport, tail), -1);
    }

    /**
     * The divergence of SPEC 1.1 between two distributions given as floored log-probabilities
     * over the same support: alpha 1 reverse KL, alpha 0 forward KL, otherwise the
     * generalised JSD against the mixture {@code (1-alpha)*student + alpha*teacher}.
     */
    static NDArray divergence(NDArray student, NDArray teacher, double alpha) {
        if (alpha == 1.0) {
            return Distributions.kl(student, teacher);
        }
        if (alpha == 0.0) {
            return Distributions.kl(teacher, student);
        }
        NDArray a = Scalars.add(student, Math.log(1 - alpha));
        NDArray b = Scalars.add(teacher, Math.log(alpha));
        NDArray max = a.maximum(b).stopGradient();
        NDArray mixture = a.sub(max).exp().add(b.sub(max).exp()).log().add(max);
        return Scalars.mul(Distributions.kl(student, mixture), 1 - alpha)
                .add(Scalars.mul(Distributions.kl(teacher, mixture), alpha));
    }

    /**
     * Per-token divergence {@code [...]} between student logits {@code [..., V]} (with
     * gradient) and teacher logits or log-probabilities {@code [..., V]} (no gradient).
     */
    public static NDArray perToken(NDArray studentLogits, NDArray teacherLogits, DivergenceConfig cfg) {
        NDArray student = Distributions.logSoftmax(studentLogits, cfg.temperature());
        NDArray teacher = Distributions.logSoftmax(teacherLogits.stopGradient(), cfg.temperature());
        NDArray ids = supportIds(student, teacher, cfg);
        NDArray tailMask = tailMask(ids, teacher, cfg.tailBucket());
        return divergence(restrict(student, ids, tailMask), restrict(teacher, ids, tailMask), cfg.alpha());
    }
}
