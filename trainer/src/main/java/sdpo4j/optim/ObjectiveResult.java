package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loss and its named metrics. {@code loss} is the sum of the per-run losses, so that the
 * gradient with respect to one run's parameters is exactly that run's own loss gradient.
 *
 * @param loss scalar to differentiate
 * @param runLoss per-run loss {@code [R]}
 * @param weight per-run count of what the loss averages over {@code [R]} (tokens, responses, or
 *     responses with a teacher), detached: micro-batches of one batch combine exactly as
 *     {@code sum(weight_i * loss_i) / sum(weight_i)} for every objective whose aggregation is a
 *     plain mean (all but hybrid, whose mixing weight depends on the whole batch, and the
 *     batch-mean baseline of reinforce)
 * @param metrics detached per-run metrics {@code [R]}, in insertion order
 */
public record ObjectiveResult(NDArray loss, NDArray runLoss, NDArray weight, Map<String, NDArray> metrics) {

    public ObjectiveResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    static ObjectiveResult of(NDArray runLoss, NDArray weight, Map<String, NDArray> metrics) {
        Map<String, NDArray> all = new LinkedHashMap<>();
        all.put("loss", runLoss.stopGradient());
        all.putAll(metrics);
        return new ObjectiveResult(runLoss.sum(), runLoss, weight.stopGradient(), all);
    }

    public NDArray metric(String name) {
        NDArray m = metrics.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no metric '" + name + "'; have " + metrics.keySet());
        }
        return m;
    }

    /** Each metric averaged over runs: what the LM trainer (R = 1) logs. */
    public Map<String, Double> meanMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put(k, v.mean().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble()));
        return out;
    }
}
