package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.env.EnvConfig;
import sdpo4j.optim.ObjectiveConfig;

/**
 * A fine-tuning run (SPEC 3-5 defaults). The loop so far: one optimizer step per rollout
 * batch, EMA teacher after every step, metrics every step, a final HuggingFace checkpoint.
 *
 * @param model HuggingFace model directory to start from
 * @param dataset training JSONL (validated before the first step)
 * @param env environment that scores responses
 * @param objective the shared objective (sdpo by default: reverse KL, K = 20, tail bucket)
 * @param steps optimizer steps
 * @param prompts prompts per step
 * @param groupSize responses sampled per prompt (G)
 * @param lr AdamW learning rate
 * @param weightDecay AdamW weight decay
 * @param emaRate teacher update {@code t <- (1 - r) t + r s}
 * @param maxGradNorm global-norm clipping threshold
 * @param maxNewTokens response length limit
 * @param temperature rollout temperature
 * @param feedbackWithSolution show feedback even when a successful sibling is shown
 * @param promptsDir teacher-context templates
 * @param completionsEvery write sampled completions with their feedback every N steps (0 = never)
 * @param seed data order, sampling and context choice
 */
public record TrainConfig(
        String model,
        String dataset,
        EnvConfig env,
        ObjectiveConfig objective,
        int steps,
        int prompts,
        int groupSize,
        double lr,
        double weightDecay,
        double emaRate,
        double maxGradNorm,
        int maxNewTokens,
        double temperature,
        boolean feedbackWithSolution,
        String promptsDir,
        int completionsEvery,
        long seed) {

    public static final TrainConfig DEFAULT = new TrainConfig("models/tiny", "datasets/arithmetic/train.jsonl",
            EnvConfig.DEFAULT, ObjectiveConfig.DEFAULT, 50, 4, 8, 1e-5, 0.0, 0.05, 1.0, 32, 1.0, false, "prompts", 10, 0);

    public TrainConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model", model, "a HuggingFace model directory");
        }
        if (dataset == null || dataset.isBlank()) {
            throw new ConfigException("dataset", dataset, "a JSONL file");
        }
        Check.range("steps", steps, 1, 10_000_000);
        Check.range("prompts", prompts, 1, 100_000);
        Check.range("group-size", groupSize, 1, 1024);
        Check.positive("lr", lr);
        Check.nonNegative("weight-decay", weightDecay);
        Check.inRange("ema-rate", emaRate, 0, 1);
        Check.positive("max-grad-norm", maxGradNorm);
        Check.range("max-new-tokens", maxNewTokens, 1, 1 << 16);
        Check.nonNegative("temperature", temperature);
        Check.atLeast("completions-every", completionsEvery, 0);
    }
}
