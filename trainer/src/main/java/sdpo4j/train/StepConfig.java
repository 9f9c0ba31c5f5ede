package sdpo4j.train;

import sdpo4j.optim.ObjectiveConfig;

/**
 * What one {@link SelfDistillationStep} reads: the objective, how a rollout batch splits into
 * optimizer steps and micro-batches, the learning-rate schedule, clipping and the teacher's
 * update. {@code train} takes it from its {@link TrainConfig}; the bridge sets its own (one
 * group, one step, a constant rate).
 *
 * @param objective the shared objective
 * @param prompts prompts per rollout batch
 * @param microBatchPrompts prompts (whole groups) per forward/backward pass
 * @param optimizerStepsPerRollout mini-batches per rollout batch, one optimizer step each (a
 *     divisor of {@code prompts}); importance-corrected after the first
 * @param lr peak learning rate
 * @param warmupSteps optimizer steps of linear warm-up from 0 to {@code lr}, then constant
 * @param maxGradNorm global-norm clipping threshold
 * @param emaRate teacher update {@code t <- (1 - r) t + r s}
 * @param emaSchedule after every optimizer step or once per rollout batch
 * @param teacherKind which weights score the teacher contexts
 * @param teacherSyncSteps the teacher moves after every N-th optimizer step (optimizer-step schedule)
 * @param maskTruncatedCompletions responses cut at max-new-tokens reach no loss
 * @param temperature rollout temperature (the behaviour policy's log-probs of the off-policy steps)
 * @param responseChunk responses per forward/backward pass, 0 for a whole micro-batch ({@code memory.response-chunk})
 */
public record StepConfig(
        ObjectiveConfig objective,
        int prompts,
        int microBatchPrompts,
        int optimizerStepsPerRollout,
        double lr,
        int warmupSteps,
        double maxGradNorm,
        double emaRate,
        EmaSchedule emaSchedule,
        TeacherKind teacherKind,
        int teacherSyncSteps,
        boolean maskTruncatedCompletions,
        double temperature,
        int responseChunk) {

    /** A step with an EMA teacher synced at every optimizer step (the bridge's and test-time discovery's). */
    public StepConfig(ObjectiveConfig objective, int prompts, int microBatchPrompts, int optimizerStepsPerRollout, double lr,
            int warmupSteps, double maxGradNorm, double emaRate, EmaSchedule emaSchedule, double temperature) {
        this(objective, prompts, microBatchPrompts, optimizerStepsPerRollout, lr, warmupSteps, maxGradNorm, emaRate, emaSchedule,
                TeacherKind.EMA, 1, false, temperature, 0);
    }

    /** The step of a fine-tuning run. */
    public static StepConfig of(TrainConfig c) {
        return new StepConfig(c.objective(), c.prompts(), c.microBatchPrompts(), c.optimizerStepsPerRollout(), c.lr(),
                c.warmupSteps(), c.maxGradNorm(), c.emaRate(), c.emaSchedule(), c.teacherKind(), c.teacherSyncSteps(),
                c.maskTruncatedCompletions(), c.temperature(), c.memory().responseChunk());
    }

    /**
     * Responses per forward/backward pass for groups of {@code groupSize}: a micro-batch, or a
     * chunk of one when {@code responseChunk} is smaller.
     */
    public int responsesPerPass(int groupSize) {
        int micro = microBatchPrompts * groupSize;
        return responseChunk > 0 ? Math.min(micro, responseChunk) : micro;
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
