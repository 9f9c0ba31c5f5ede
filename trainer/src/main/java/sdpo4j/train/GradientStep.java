package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.optim.ParameterUpdate;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.GradientClipping;

/**
 * Applies a model's accumulated gradients: averages them over the summed loss weight, clips
 * the global norm, takes one optimizer step and zeroes them. A non-finite norm applies nothing.
 */
public final class GradientStep {
    private GradientStep() {}

    /**
     * @param weightSum what the accumulated gradients are a sum over (1 for a single mean loss)
     * @return the gradient norm before clipping
     * @throws TrainingException when the norm is not finite; the model is then untouched and
     *     its gradients are zeroed
     */
    public static double apply(DecoderLM model, ParameterUpdate optimizer, double lr, double maxGradNorm, double weightSum) {
        List<NDArray> grads = new ArrayList<>();
        for (NDArray p : model.trainableList()) {
            grads.add(p.getGradient());
        }
        if (weightSum > 0) {
            grads.forEach(gr -> gr.muli(1.0 / weightSum));
        }
        double norm = GradientClipping.clipGlobalNorm(grads, maxGradNorm);
        grads.forEach(NDArray::close);
        if (!Double.isFinite(norm)) {
            String where = nonFiniteGradients(model);
            Autograd.zeroGradients(model.trainableList());
            throw new TrainingException("gradient norm is " + norm + " (non-finite gradients in " + where + ")");
        }
        // Outside any scope: the update works in place on the parameters and moments.
        optimizer.step(model.trainableParameters(), lr);
        Autograd.zeroGradients(model.trainableList());
        return norm;
    }

    /** Names of the parameters whose gradient holds a NaN or an infinity (at most five). */
    private static String nonFiniteGradients(DecoderLM model) {
        List<String> names = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            for (Map.Entry<String, NDArray> e : model.trainableParameters().entrySet()) {
                NDArray g = e.getValue().getGradient();
                if (g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean()) {
                    names.add(e.getKey());
                }
            }
        }
        return names.size() <= 5 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
    }
}
