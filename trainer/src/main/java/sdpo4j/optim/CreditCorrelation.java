package sdpo4j.optim;

import ai.djl.ndarray.NDArray;

/**
 * Credit-assignment correlation (SPEC 2.4): the Pearson correlation, over the vocabulary at
 * each position, between an update direction on the logits (minus the loss gradient) and the
 * true per-token advantage {@code A*(t, v) = q(t, v) - E_pi[q(t, .)]}.
 */
public final class CreditCorrelation {
    private CreditCorrelation() {}

    /**
     * Correlation per position: {@code [..., V]} x {@code [..., V]} -> {@code [...]}. A position
     * where either side is constant has no defined correlation and counts as 0.
     */
    public static NDArray perPosition(NDArray direction, NDArray trueAdvantage) {
        NDArray d = direction.sub(direction.mean(new int[] {-1}, true));
        NDArray a = trueAdvantage.sub(trueAdvantage.mean(new int[] {-1}, true));
        NDArray cov = d.mul(a).sum(new int[] {-1});
        NDArray norms = d.square().sum(new int[] {-1}).mul(a.square().sum(new int[] {-1})).sqrt();
        NDArray defined = norms.gt(1e-20);
        return ai.djl.ndarray.NDArrays.where(defined, cov.div(Scalars.maximum(norms, 1e-20)), cov.zerosLike());
    }

    /** The true per-token advantage {@code q - E_pi[q]} per position, from quality {@code [..., V]} and log-probs. */
    public static NDArray trueAdvantage(NDArray quality, NDArray logProbs) {
        return quality.sub(logProbs.exp().mul(quality).sum(new int[] {-1}, true));
    }
}
