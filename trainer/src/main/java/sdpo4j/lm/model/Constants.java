package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * Constant tensors of one model, on its parameters' device, built once. Numbers go in as 0-d
 * tensors made here rather than Java numbers: DJL turns {@code x.add(1e-6)} into a create plus an
 * add, and wraps the number in a tensor over a buffer that the garbage collector may free before
 * the backward pass reads it (see {@link sdpo4j.optim.Scalars}). These arrays are never closed,
 * so their buffers stay alive while any graph may read them.
 */
final class Constants {
    final NDArray one;
    final NDArray three;
    final NDArray half;
    /** gelu_new's 0.044715 and sqrt(2 / pi). */
    final NDArray geluCubic;
    final NDArray geluScale;
    /** -MASKED: (allowed - 1) times this is 0 or MASKED. */
    final NDArray maskedScale;
    /** {@link DecoderLM#SCORE_GAP}. */
    final NDArray scoreGap;
    /** The attention score scale: 1/sqrt(D) unless the spec sets one. */
    final NDArray scale;
    /** The attention score and logit soft-caps (unused when the spec has none). */
    final NDArray softcap;
    final NDArray logitSoftcap;
    final NDArray eps;
    /** sqrt(H): {@link Norms#unit} is RMSNorm / sqrt(H). */
    final NDArray rootHidden;

    Constants(ModelConfig cfg, DecoderSpec spec, NDManager m) {
        one = m.create(1f);
        three = m.create(3f);
        half = m.create(0.5f);
        geluCubic = m.create((float) 0.044715);
        geluScale = m.create((float) Math.sqrt(2 / Math.PI));
        maskedScale = m.create(-DecoderLM.MASKED);
        scoreGap = m.create(DecoderLM.SCORE_GAP);
        double s = spec.attention().scale();
        scale = m.create((float) (s > 0 ? s : 1 / Math.sqrt(cfg.headDim())));
        softcap = m.create((float) spec.attention().softcap());
        logitSoftcap = m.create((float) spec.logitSoftcap());
        eps = m.create((float) cfg.normEps());
        rootHidden = m.create((float) Math.sqrt(cfg.hiddenSize()));
        NDScope.unregister(one, three, half, geluCubic, geluScale, maskedScale, scoreGap, scale, softcap, logitSoftcap, eps,
                rootHidden);
    }
}
