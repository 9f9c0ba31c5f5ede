package sdpo4j.compare;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.train.TrainConfig;

/**
 * A method comparison: the same training run repeated per method and seed.
 *
 * @param train the shared run; its {@code objective.name} and {@code seed} are replaced per run
 * @param methods objectives to compare (every other objective setting is shared)
 * @param seeds one run per method per seed
 * @param accuracyMetric the held-out metric the report ranks by and counts steps to target with
 * @param targetAccuracy the value of {@code accuracy-metric} that "steps to target" waits for
 */
public record CompareConfig(TrainConfig train, List<ObjectiveKind> methods, List<Long> seeds, String accuracyMetric,
        double targetAccuracy) {
    public static final CompareConfig DEFAULT = new CompareConfig(TrainConfig.DEFAULT,
            List.of(ObjectiveKind.GRPO, ObjectiveKind.SDPO, ObjectiveKind.CREDIT), List.of(0L), "eval_greedy_accuracy", 0.5);

    public CompareConfig {
        if (train == null) {
            throw new ConfigException("train", null, "a section of training keys");
        }
        Check.nonEmpty("methods", methods);
        Check.nonEmpty("seeds", seeds);
        if (methods.stream().distinct().count() != methods.size()) {
            throw new ConfigException("methods", methods, "each method once");
        }
        if (accuracyMetric == null || accuracyMetric.isBlank()) {
            throw new ConfigException("accuracy-metric", accuracyMetric, "a metrics key, e.g. eval_greedy_accuracy");
        }
        Check.inRange("target-accuracy", targetAccuracy, 0, 1);
        methods = List.copyOf(methods);
        seeds = List.copyOf(seeds);
    }
}
