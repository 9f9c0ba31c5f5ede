package sdpo4j.train;

import sdpo4j.config.Check;

/**
 * Held-out evaluation (the {@code eval:} section).
 *
 * @param dataset held-out JSONL; empty disables evaluation
 * @param every evaluate every N steps (and always after the last); 0 = only after the last
 * @param maxTasks evaluate on at most this many tasks (the first ones, a fixed set)
 * @param samples k for avg@k: responses sampled per task at the rollout temperature
 */
public record EvalConfig(String dataset, int every, int maxTasks, int samples) {
    public static final EvalConfig DEFAULT = new EvalConfig("datasets/arithmetic/test.jsonl", 10, 64, 4);

    public EvalConfig {
        dataset = dataset == null ? "" : dataset;
        Check.atLeast("every", every, 0);
        Check.range("max-tasks", maxTasks, 1, 1_000_000);
        Check.range("samples", samples, 1, 1024);
    }

    public boolean enabled() {
        return !dataset.isBlank();
    }
}
