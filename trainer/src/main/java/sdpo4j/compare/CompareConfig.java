package sdpo4j.compare;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.train.TrainConfig;

/**
 * A method comparison: the same training run repeated per method and seed. Each key's default
 * and meaning: {@link Builder}.
 */
public record CompareConfig(TrainConfig train, List<ObjectiveKind> methods, List<Long> seeds, String accuracyMetric,
        double targetAccuracy, ObjectiveKind baseline, int parallelRuns, int bootstrapReplicates, long bootstrapSeed) {
    public static final CompareConfig DEFAULT = builder().build();

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
        if (baseline == null || (methods.size() > 1 && !methods.contains(baseline))) {
            throw new ConfigException("baseline", baseline, "one of methods " + methods);
        }
        Check.range("parallel-runs", parallelRuns, 1, 64);
        Check.range("bootstrap-replicates", bootstrapReplicates, 100, 1_000_000);
        methods = List.copyOf(methods);
        seeds = List.copyOf(seeds);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().train(train).methods(methods).seeds(seeds).accuracyMetric(accuracyMetric)
                .targetAccuracy(targetAccuracy).baseline(baseline).parallelRuns(parallelRuns)
                .bootstrapReplicates(bootstrapReplicates).bootstrapSeed(bootstrapSeed);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("the shared run; its `objective.name` and `seed` are replaced per run")
        private TrainConfig train = TrainConfig.DEFAULT;
        @Doc("objectives to compare (every other objective setting is shared)")
        private List<ObjectiveKind> methods = List.of(ObjectiveKind.GRPO, ObjectiveKind.SDPO, ObjectiveKind.CREDIT);
        @Doc("one run per method per seed; the report's intervals need several (one seed: tasks only)")
        private List<Long> seeds = List.of(0L, 1L, 2L, 3L, 4L);
        @Doc("the held-out metric the report ranks by and counts steps to target with")
        private String accuracyMetric = "eval_greedy_accuracy";
        @Doc("the value of `accuracy-metric` that \"steps to target\" waits for")
        private double targetAccuracy = 0.5;
        @Doc("the method every other one is compared with, paired by seed and held-out task")
        private ObjectiveKind baseline = ObjectiveKind.GRPO;
        @Doc("runs trained at the same time, each with its own thread (torch threads are shared: see docs/training.md)")
        private int parallelRuns = 1;
        @Doc("resamples behind each 95% confidence interval (seeds, then held-out tasks)")
        private int bootstrapReplicates = 2000;
        @Doc("seed of the bootstrap's resampling, so a report's intervals are reproducible")
        private long bootstrapSeed = 0;

        private Builder() {}

        public Builder train(TrainConfig v) {
            train = v;
            return this;
        }

        public Builder methods(List<ObjectiveKind> v) {
            methods = v;
            return this;
        }

        public Builder seeds(List<Long> v) {
            seeds = v;
            return this;
        }

        public Builder accuracyMetric(String v) {
            accuracyMetric = v;
            return this;
        }

        public Builder targetAccuracy(double v) {
            targetAccuracy = v;
            return this;
        }

        public Builder baseline(ObjectiveKind v) {
            baseline = v;
            return this;
        }

        public Builder parallelRuns(int v) {
            parallelRuns = v;
            return this;
        }

        public Builder bootstrapReplicates(int v) {
            bootstrapReplicates = v;
            return this;
        }

        public Builder bootstrapSeed(long v) {
            bootstrapSeed = v;
            return this;
        }

        public CompareConfig build() {
            return new CompareConfig(train, methods, seeds, accuracyMetric, targetAccuracy, baseline, parallelRuns,
                    bootstrapReplicates, bootstrapSeed);
        }
    }
}
