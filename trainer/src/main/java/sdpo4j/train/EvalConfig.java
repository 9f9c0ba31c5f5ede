package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.Doc;

/**
 * Held-out evaluation (the {@code eval:} section). Each key's default and meaning: {@link Builder}.
 */
public record EvalConfig(String dataset, int every, int maxTasks, int samples) {
    public static final EvalConfig DEFAULT = builder().build();

    public EvalConfig {
        dataset = dataset == null ? "" : dataset;
        Check.atLeast("every", every, 0);
        Check.range("max-tasks", maxTasks, 1, 1_000_000);
        Check.range("samples", samples, 1, 1024);
    }

    public boolean enabled() {
        return !dataset.isBlank();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().dataset(dataset).every(every).maxTasks(maxTasks).samples(samples);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("held-out JSONL; empty disables evaluation")
        private String dataset = "datasets/arithmetic/test.jsonl";
        @Doc("evaluate every N steps (and always after the last); 0 = only after the last")
        private int every = 10;
        @Doc("evaluate on at most this many tasks (the first ones, a fixed set)")
        private int maxTasks = 64;
        @Doc("k for avg@k: responses sampled per task at the rollout temperature")
        private int samples = 4;

        private Builder() {}

        public Builder dataset(String v) {
            dataset = v;
            return this;
        }

        public Builder every(int v) {
            every = v;
            return this;
        }

        public Builder maxTasks(int v) {
            maxTasks = v;
            return this;
        }

        public Builder samples(int v) {
            samples = v;
            return this;
        }

        public EvalConfig build() {
            return new EvalConfig(dataset, every, maxTasks, samples);
        }
    }
}
