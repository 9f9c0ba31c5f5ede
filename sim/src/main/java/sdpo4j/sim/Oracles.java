package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The feedback oracles of SPEC 2.3, for R runs at once, each run with its own feedback type,
 * noise level and (extension) judge bias. All oracles are computed for every run and each run
 * keeps its own: a handful of extra element-wise ops is cheaper than splitting the batch.
 */
final class Oracles {
    private final NDArray isBinary;
    private final NDArray isOrdinal;
    /** 1 for continuous, critique and critique-literal: all three score with the raw value. */
    private final NDArray isContinuousScore;
    private final NDArray sigma;
    private final NDArray bias;

    Oracles(NDManager manager, FeedbackType[] types, double[] sigma, double[] bias) {
        int r = types.length;
        float[] bin = new float[r];
        float[] ord = new float[r];
        float[] cont = new float[r];
        for (int i = 0; i < r; i++) {
            bin[i] = types[i] == FeedbackType.BINARY ? 1 : 0;
            ord[i] = types[i] == FeedbackType.ORDINAL ? 1 : 0;
            cont[i] = bin[i] + ord[i] == 0 ? 1 : 0;
        }
        this.isBinary = column(manager, bin);
        this.isOrdinal = column(manager, ord);
        this.isContinuousScore = column(manager, cont);
        this.sigma = column(manager, PerRun.float32(sigma));
        this.bias = column(manager, PerRun.float32(bias));
    }

    private static NDArray column(NDManager manager, float[] x) {
        return manager.create(x, new Shape(x.length, 1));
    }

    /**
     * Feedback for rollouts with pre-sigmoid scores {@code [R, B]}. The judge observes
     * {@code sigmoid(score + bias * share of the world's worst token in s) + eps} (the biased
     * judge scores with its biased quality table), with {@code eps = sigma * scoreNoise};
     * binary and ordinal quantise that observation. Hints are {@code q(t, s_t) + sigma * hintNoise}.
     * Both noises are standard normal, {@code [R, B]} and {@code [R, B, T]}.
     */
    Feedback observe(Rollouts rollouts, NDArray rawScore, NDArray scoreNoise, NDArray hintNoise) {
        NDArray judged = Activation.sigmoid(rawScore.add(rollouts.favoured().mul(bias)));
        NDArray observed = judged.add(scoreNoise.mul(sigma));
        NDArray binary = observed.gt(0.5).toType(DataType.FLOAT32, false);
        NDArray stars = observed.mul(4).add(1).round().clip(1, 5);
        NDArray ordinal = stars.sub(1).div(4);
        NDArray score = binary.mul(isBinary).add(ordinal.mul(isOrdinal)).add(observed.mul(isContinuousScore));
        NDArray hints = rollouts.quality().add(hintNoise.mul(sigma.expandDims(2)));
        return new Feedback(score, hints);
    }
}
