package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.env.EnvConfig;
import sdpo4j.env.RepromptConfig;
import sdpo4j.lm.lora.LoraConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;

/**
 * A fine-tuning run, with SPEC 3-5 defaults. One step = one rollout batch: {@code prompts}
 * prompts x {@code group-size} responses, split into {@code optimizer-steps-per-rollout}
 * mini-batches (one AdamW step each, importance-corrected after the first), each accumulated
 * over micro-batches of {@code micro-batch-prompts} prompts so that memory is bounded by the
 * micro-batch.
 *
 * <p>Each key's default and meaning: {@link Builder}.
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
        TeacherKind teacherKind,
        int teacherSyncSteps,
        double maxGradNorm,
        int maxNewTokens,
        boolean maskTruncatedCompletions,
        double temperature,
        RepromptConfig reprompt,
        String promptsDir,
        ChatConfig chat,
        int completionsEvery,
        EvalConfig eval,
        CheckpointConfig checkpoint,
        long seed,
        LoraConfig lora,
        MemoryConfig memory) {

    public static final TrainConfig DEFAULT = builder().build();

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
        if (teacherKind == null) {
            throw new ConfigException("teacher-kind", null, "one of [ema, live, base, trust-region]");
        }
        Check.range("teacher-sync-steps", teacherSyncSteps, 1, 1_000_000);
        if (teacherSyncSteps > 1 && emaSchedule == EmaSchedule.ROLLOUT_BATCH) {
            throw new ConfigException("teacher-sync-steps", teacherSyncSteps, "1 with ema-schedule: rollout-batch (it counts "
                    + "optimizer steps; the rollout-batch schedule already syncs once per optimizer-steps-per-rollout)");
        }
        Check.positive("max-grad-norm", maxGradNorm);
        Check.range("max-new-tokens", maxNewTokens, 1, 1 << 16);
        if (objective.grpo().aggregation() == sdpo4j.optim.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM && objective.grpo().normLength() == 0) {
            // Dr. GRPO's constant is the generation budget: micro-batches are padded only to their own longest.
            objective = objective.withGrpo(objective.grpo().toBuilder().normLength(maxNewTokens).build());
        }
        Check.nonNegative("temperature", temperature);
        if (objective.divergence().temperature() != temperature && temperature > 0) {
            throw new ConfigException("objective.divergence.temperature", objective.divergence().temperature(),
                    "the rollout temperature (" + temperature + "): student and teacher distributions use the "
                    + "temperature the responses were sampled at (SPEC 1.1)");
        }
        Check.atLeast("completions-every", completionsEvery, 0);
        DegenerateSettings.refuse(objective, groupSize, prompts, temperature);
        DegenerateSettings.refuseInexactMicroBatches(objective, prompts / optimizerStepsPerRollout, microBatchPrompts);
        eval = eval == null ? EvalConfig.DEFAULT : eval;
        checkpoint = checkpoint == null ? CheckpointConfig.DEFAULT : checkpoint;
        chat = chat == null ? ChatConfig.DEFAULT : chat;
        reprompt = reprompt == null ? RepromptConfig.DEFAULT : reprompt;
        lora = lora == null ? LoraConfig.DEFAULT : lora;
        memory = memory == null ? MemoryConfig.DEFAULT : memory;
        if (lora.enabled() && lora.dropout() > 0 && memory.checkpointActivations()) {
            throw new ConfigException("lora.dropout", lora.dropout(), "0 with memory.checkpoint-activations: the backward "
                    + "recomputes each block and would draw another dropout mask");
        }
        DegenerateSettings.refuseInexactChunks(objective, prompts / optimizerStepsPerRollout * groupSize, memory.responseChunk());
        DegenerateSettings.refuseMovingReference(objective, teacherKind, emaRate);
        if (lora.enabled() && memory.teacherHalf()) {
            throw new ConfigException("memory.teacher-half", true, "false with LoRA: the teacher is the shared base plus "
                    + "adapters, which are small and stay fp32");
        }
    }

    /** This run with another objective (its other settings kept). */
    public TrainConfig withObjectiveName(ObjectiveKind kind) {
        return toBuilder().objective(objective.withName(kind)).build();
    }

    /** This run with another seed. */
    public TrainConfig withSeed(long newSeed) {
        return toBuilder().seed(newSeed).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().model(model).dataset(dataset).env(env).objective(objective).steps(steps).prompts(prompts)
                .groupSize(groupSize).microBatchPrompts(microBatchPrompts).optimizerStepsPerRollout(optimizerStepsPerRollout)
                .lr(lr).warmupSteps(warmupSteps).adamBeta1(adamBeta1).adamBeta2(adamBeta2).adamEpsilon(adamEpsilon)
                .weightDecay(weightDecay).emaRate(emaRate).emaSchedule(emaSchedule).teacherKind(teacherKind)
                .teacherSyncSteps(teacherSyncSteps).maxGradNorm(maxGradNorm)
                .maxNewTokens(maxNewTokens)
                .maskTruncatedCompletions(maskTruncatedCompletions).temperature(temperature).reprompt(reprompt)
                .promptsDir(promptsDir).chat(chat).completionsEvery(completionsEvery).eval(eval).checkpoint(checkpoint).seed(seed)
                .lora(lora).memory(memory);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("HuggingFace model directory to start from")
        private String model = "models/arithmetic-tiny";
        @Doc("training JSONL (validated before the first step)")
        private String dataset = "datasets/arithmetic/train.jsonl";
        @Doc("the environment that scores responses, and its settings")
        private EnvConfig env = EnvConfig.DEFAULT;
        @Doc("the shared objective (SPEC 1)")
        private ObjectiveConfig objective = ObjectiveConfig.DEFAULT;
        @Doc("rollout batches")
        private int steps = 50;
        @Doc("prompts per step")
        private int prompts = 4;
        @Doc("responses sampled per prompt (G)")
        private int groupSize = 8;
        @Doc("prompts (whole groups) per forward/backward pass: memory is bounded by the micro-batch")
        private int microBatchPrompts = 4;
        @Doc("mini-batches per rollout batch, one AdamW step each (importance-corrected after the first); a divisor of "
                + "`prompts`")
        private int optimizerStepsPerRollout = 1;
        @Doc("peak AdamW learning rate")
        private double lr = 1e-5;
        @Doc("optimizer steps of linear warm-up from 0 to `lr`, then constant")
        private int warmupSteps = 10;
        @Doc("AdamW beta1")
        private double adamBeta1 = 0.9;
        @Doc("AdamW beta2")
        private double adamBeta2 = 0.999;
        @Doc("AdamW epsilon")
        private double adamEpsilon = 1e-8;
        @Doc("AdamW decoupled weight decay")
        private double weightDecay = 0.0;
        @Doc("teacher update `t <- (1 - r) t + r s` (`teacher-kind: ema`); with `trust-region`, the student's share "
                + "`r` of the teacher's logits")
        private double emaRate = 0.05;
        @Doc("when the teacher moves: `optimizer-step` (after every optimizer step) or `rollout-batch` (once per rollout "
                + "batch, after its last optimizer step)")
        private EmaSchedule emaSchedule = EmaSchedule.OPTIMIZER_STEP;
        @Doc("which weights score the teacher contexts: `ema` (a moving average of the student at `ema-rate`), `live` "
                + "(the current student), `base` (the initial student, frozen) or `trust-region` (logits "
                + "`lerp(initial, current student, ema-rate)` on the teacher context)")
        private TeacherKind teacherKind = TeacherKind.EMA;
        @Doc("the EMA teacher moves after every N-th optimizer step (counted over the run); 1 with `ema-schedule: "
                + "rollout-batch`")
        private int teacherSyncSteps = 1;
        @Doc("global-norm clipping threshold")
        private double maxGradNorm = 1.0;
        @Doc("response length limit")
        private int maxNewTokens = 32;
        @Doc("leave responses cut at `max-new-tokens` (no EOS) out of the loss; their rewards still count in their "
                + "group's advantages")
        private boolean maskTruncatedCompletions = false;
        @Doc("rollout temperature; `objective.divergence.temperature` must equal it")
        private double temperature = 1.0;
        @Doc("how each response's teacher context is built from its group (TRL's reprompting options)")
        private RepromptConfig reprompt = RepromptConfig.DEFAULT;
        @Doc("teacher-context templates")
        private String promptsDir = "prompts";
        @Doc("the chat template's system turn and variables, for prompts and teacher contexts alike")
        private ChatConfig chat = ChatConfig.DEFAULT;
        @Doc("write sampled completions with their feedback to `completions.jsonl` every N steps (0 = never)")
        private int completionsEvery = 10;
        @Doc("held-out evaluation")
        private EvalConfig eval = EvalConfig.DEFAULT;
        @Doc("checkpointing")
        private CheckpointConfig checkpoint = CheckpointConfig.DEFAULT;
        @Doc("data order, sampling and context choice")
        private long seed = 0;
        @Doc("low-rank adapters instead of training every weight")
        private LoraConfig lora = LoraConfig.DEFAULT;
        @Doc("memory options")
        private MemoryConfig memory = MemoryConfig.DEFAULT;

        private Builder() {}

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder dataset(String v) {
            dataset = v;
            return this;
        }

        public Builder env(EnvConfig v) {
            env = v;
            return this;
        }

        public Builder objective(ObjectiveConfig v) {
            objective = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder prompts(int v) {
            prompts = v;
            return this;
        }

        public Builder groupSize(int v) {
            groupSize = v;
            return this;
        }

        public Builder microBatchPrompts(int v) {
            microBatchPrompts = v;
            return this;
        }

        public Builder optimizerStepsPerRollout(int v) {
            optimizerStepsPerRollout = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder adamBeta1(double v) {
            adamBeta1 = v;
            return this;
        }

        public Builder adamBeta2(double v) {
            adamBeta2 = v;
            return this;
        }

        public Builder adamEpsilon(double v) {
            adamEpsilon = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder emaRate(double v) {
            emaRate = v;
            return this;
        }

        public Builder emaSchedule(EmaSchedule v) {
            emaSchedule = v;
            return this;
        }

        public Builder teacherKind(TeacherKind v) {
            teacherKind = v;
            return this;
        }

        public Builder teacherSyncSteps(int v) {
            teacherSyncSteps = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder maskTruncatedCompletions(boolean v) {
            maskTruncatedCompletions = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder reprompt(RepromptConfig v) {
            reprompt = v;
            return this;
        }

        public Builder promptsDir(String v) {
            promptsDir = v;
            return this;
        }

        public Builder chat(ChatConfig v) {
            chat = v;
            return this;
        }

        public Builder completionsEvery(int v) {
            completionsEvery = v;
            return this;
        }

        public Builder eval(EvalConfig v) {
            eval = v;
            return this;
        }

        public Builder checkpoint(CheckpointConfig v) {
            checkpoint = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder lora(LoraConfig v) {
            lora = v;
            return this;
        }

        public Builder memory(MemoryConfig v) {
            memory = v;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(model, dataset, env, objective, steps, prompts, groupSize, microBatchPrompts,
                    optimizerStepsPerRollout, lr, warmupSteps, adamBeta1, adamBeta2, adamEpsilon, weightDecay, emaRate,
                    emaSchedule, teacherKind, teacherSyncSteps, maxGradNorm, maxNewTokens, maskTruncatedCompletions, temperature, reprompt, promptsDir, chat, completionsEvery,
                    eval, checkpoint, seed, lora, memory);
        }
    }
}
