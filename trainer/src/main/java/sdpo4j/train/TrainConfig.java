package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.env.EnvConfig;
import sdpo4j.optim.ObjectiveConfig;

/**
 * A fine-tuning run, with SPEC 3-5 defaults. One step = one rollout batch: {@code prompts}
 * prompts x {@code group-size} responses, split into {@code optimizer-steps-per-rollout}
 * mini-batches (one AdamW step each, importance-corrected after the first), each accumulated
 * over micro-batches of {@code micro-batch-prompts} prompts so that memory is bounded by the
 * micro-batch.
 *
 * @param model HuggingFace model directory to start from
 * @param dataset training JSONL (validated before the first step)
 * @param env environment that scores responses
 * @param objective the shared objective (sdpo by default: reverse KL, K = 20, tail bucket);
 *     {@code hybrid} with {@code hybrid.force-alpha: w} and {@code hybrid.fallback: grpo} is the
 *     fixed mix {@code w * sdpo + (1 - w) * grpo} (a distillation weight)
 * @param steps rollout batches
 * @param prompts prompts per step
 * @param groupSize responses sampled per prompt (G)
 * @param microBatchPrompts prompts (whole groups) per forward/backward pass
 * @param optimizerStepsPerRollout mini-batches per rollout batch, one optimizer step each
 * @param lr peak AdamW learning rate
 * @param warmupSteps optimizer steps of linear warm-up from 0 to {@code lr}, then constant
 * @param adamBeta1 AdamW beta1
 * @param adamBeta2 AdamW beta2
 * @param adamEpsilon AdamW epsilon
 * @param weightDecay AdamW decoupled weight decay
 * @param emaRate teacher update {@code t <- (1 - r) t + r s}
 * @param emaSchedule after every optimizer step or once per rollout batch
 * @param maxGradNorm global-norm clipping threshold
 * @param maxNewTokens response length limit
 * @param temperature rollout temperature
 * @param feedbackWithSolution show feedback even when a successful sibling is shown
 * @param promptsDir teacher-context templates
 * @param completionsEvery write sampled completions with their feedback every N steps (0 = never)
 * @param eval held-out evaluation
 * @param checkpoint checkpointing
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
        int microBatchPrompts,
        int optimizerStepsPerRollout,
        double lr,
        int warmupSteps,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double weightDecay,
        double emaRate,
        EmaSchedule emaSchedule,
        double maxGradNorm,
        int maxNewTokens,
        double temperature,
        boolean feedbackWithSolution,
        String promptsDir,
        int completionsEvery,
        EvalConfig eval,
        CheckpointConfig checkpoint,
        long seed) {

    public static final TrainConfig DEFAULT = new TrainConfig("models/arithmetic-tiny", "datasets/arithmetic/train.jsonl",
            EnvConfig.DEFAULT, ObjectiveConfig.DEFAULT, 50, 4, 8, 4, 1, 1e-5, 10, 0.9, 0.999, 1e-8, 0.0, 0.05,
            EmaSchedule.OPTIMIZER_STEP, 1.0, 32, 1.0, false, "prompts", 10, EvalConfig.DEFAULT, CheckpointConfig.DEFAULT, 0);

    public TrainConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model", model, "a HuggingFace model directory");
        }
        if (dataset == null || dataset.isBlank()) {
            throw new ConfigException("dataset", dataset, "a JSONL file");
        }
        if (env == null) {
            throw new ConfigException("env", null, "a section of keys");
        }
        if (objective == null) {
            throw new ConfigException("objective", null, "a section of keys");
        }
        Check.range("steps", steps, 1, 10_000_000);
        Check.range("prompts", prompts, 1, 100_000);
        Check.range("group-size", groupSize, 1, 1024);
        Check.range("micro-batch-prompts", microBatchPrompts, 1, 100_000);
        Check.range("optimizer-steps-per-rollout", optimizerStepsPerRollout, 1, prompts);
        if (prompts % optimizerStepsPerRollout != 0) {
            throw new ConfigException("optimizer-steps-per-rollout", optimizerStepsPerRollout,
                    "a divisor of prompts (" + prompts + "): each optimizer step takes whole groups");
        }
        Check.positive("lr", lr);
        Check.atLeast("warmup-steps", warmupSteps, 0);
        Check.inRange("adam-beta1", adamBeta1, 0, 0.999999);
        Check.inRange("adam-beta2", adamBeta2, 0, 0.999999);
        Check.positive("adam-epsilon", adamEpsilon);
        Check.nonNegative("weight-decay", weightDecay);
        Check.inRange("ema-rate", emaRate, 0, 1);
        if (emaSchedule == null) {
            throw new ConfigException("ema-schedule", null, "optimizer-step or rollout-batch");
        }
        Check.positive("max-grad-norm", maxGradNorm);
        Check.range("max-new-tokens", maxNewTokens, 1, 1 << 16);
        Check.nonNegative("temperature", temperature);
        if (objective.divergence().temperature() != temperature && temperature > 0) {
            throw new ConfigException("objective.divergence.temperature", objective.divergence().temperature(),
                    "the rollout temperature (" + temperature + "): student and teacher distributions use the "
                    + "temperature the responses were sampled at (SPEC 1.1)");
        }
        Check.atLeast("completions-every", completionsEvery, 0);
        DegenerateSettings.refuse(objective, groupSize, prompts, temperature);
        eval = eval == null ? EvalConfig.DEFAULT : eval;
        checkpoint = checkpoint == null ? CheckpointConfig.DEFAULT : checkpoint;
    }

    /** This run with another objective (its other settings kept). */
    public TrainConfig withObjectiveName(sdpo4j.optim.ObjectiveKind kind) {
        return new TrainConfig(model, dataset, env, objective.withName(kind), steps, prompts, groupSize, microBatchPrompts,
                optimizerStepsPerRollout, lr, warmupSteps, adamBeta1, adamBeta2, adamEpsilon, weightDecay, emaRate, emaSchedule,
                maxGradNorm, maxNewTokens, temperature, feedbackWithSolution, promptsDir, completionsEvery, eval, checkpoint, seed);
    }

    /** This run with another seed. */
    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(model, dataset, env, objective, steps, prompts, groupSize, microBatchPrompts,
                optimizerStepsPerRollout, lr, warmupSteps, adamBeta1, adamBeta2, adamEpsilon, weightDecay, emaRate, emaSchedule,
                maxGradNorm, maxNewTokens, temperature, feedbackWithSolution, promptsDir, completionsEvery, eval, checkpoint, newSeed);
    }

    /** Prompts per optimizer step. */
    public int promptsPerOptimizerStep() {
        return prompts / optimizerStepsPerRollout;
    }

    /** The learning rate of optimizer step {@code t} (1-based): linear warm-up, then constant. */
    public double learningRate(long t) {
        return warmupSteps == 0 ? lr : lr * Math.min(1.0, t / (double) warmupSteps);
    }
}
