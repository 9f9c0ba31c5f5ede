package sdpo4j.train;

import java.util.Locale;
import java.util.Optional;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Yaml;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;

/**
 * Settings under which a run trains nothing, or trains on a signal that is not there: refused
 * before any work where the run cannot mean anything, warned once where it still can
 * (docs/reliability.md, "Degenerate settings").
 */
final class DegenerateSettings {
    /** Consecutive steps without any teacher context before SDPO or Credit is warned. */
    static final int NO_TEACHER_STEPS = 5;

    private DegenerateSettings() {}

    /** The checks that need only the config; called by {@link TrainConfig}'s constructor. */
    static void refuse(ObjectiveConfig named, int groupSize, int prompts, double temperature) {
        ObjectiveConfig objective = named.effective();
        if (groupSize < 2 && groupRelative(objective)) {
            throw new ConfigException("group-size", groupSize, "an integer >= 2 for " + name(objective)
                    + ": group-relative advantages are all zero with one response per prompt, so every loss would be 0");
        }
        if (temperature == 0) {
            throw new ConfigException("temperature", temperature, "a number > 0: greedy rollouts make every response of a "
                    + "group identical, and the old log-probabilities of off-policy steps divide by the temperature");
        }
        if (prompts < 2 && objective.name() == ObjectiveKind.CREDIT) {
            throw new ConfigException("prompts", prompts, "an integer >= 2 for credit: the contrastive baseline is the "
                    + "teacher on another prompt of the batch, and one prompt has none");
        }
        if (objective.name() == ObjectiveKind.CREDIT && objective.contrastPrompts() > prompts - 1) {
            throw new ConfigException("objective.contrast-prompts", objective.contrastPrompts(), "at most prompts - 1 ("
                    + (prompts - 1) + ") for credit: each response contrasts with distinct other prompts of its batch");
        }
    }

    /**
     * Hybrid's KL rule weighs its terms by the mean KL of the whole mini-batch, which is not known
     * until its last micro-batch has been scored: with several micro-batches per optimizer step
     * only a fixed weight keeps the update exact.
     */
    static void refuseInexactMicroBatches(ObjectiveConfig named, int promptsPerOptimizerStep, int microBatchPrompts) {
        ObjectiveConfig objective = named.effective();
        if (objective.name() == ObjectiveKind.HYBRID && objective.hybrid().forceAlpha() == null
                && microBatchPrompts < promptsPerOptimizerStep) {
            throw new ConfigException("micro-batch-prompts", microBatchPrompts, "at least the prompts of one optimizer step ("
                    + promptsPerOptimizerStep + ") for hybrid's KL rule, which needs the whole step's KL before its first "
                    + "micro-batch; or set objective.hybrid.force-alpha");
        }
    }

    /** As {@link #refuseInexactMicroBatches}, for passes of {@code memory.response-chunk} responses. */
    static void refuseInexactChunks(ObjectiveConfig named, int responsesPerOptimizerStep, int responseChunk) {
        ObjectiveConfig objective = named.effective();
        if (objective.name() == ObjectiveKind.HYBRID && objective.hybrid().forceAlpha() == null && responseChunk > 0
                && responseChunk < responsesPerOptimizerStep) {
            throw new ConfigException("memory.response-chunk", responseChunk, "0 or at least the responses of one optimizer "
                    + "step (" + responsesPerOptimizerStep + ") for hybrid's KL rule, which needs the whole step's KL before "
                    + "its first pass; or set objective.hybrid.force-alpha");
        }
    }

    /**
     * GRPO's KL is to a frozen reference, and the LM step holds no model for it beyond the teacher:
     * the teacher is that reference while its weights do not move (ema-rate 0 with an EMA teacher, or
     * a base or trust-region teacher, whose model stays the initial policy; a live one moves whatever
     * the ema-rate).
     */
    static void refuseMovingReference(ObjectiveConfig named, TeacherKind kind, double emaRate) {
        double moves = kind.weightRate(emaRate);
        if (readsReference(named) && moves > 0) {
            throw new ConfigException("objective.grpo.kl-beta", named.effective().grpo().klBeta(), "0 unless ema-rate is 0 "
                    + "(teacher-kind ema) or teacher-kind is base or trust-region: the KL's frozen reference is the teacher, "
                    + "which is the initial policy only while its weights do not move (teacher-kind " + Yaml.enumName(kind)
                    + ", ema-rate " + emaRate + ": they move at rate " + moves + ")");
        }
    }

    /** Whether the objective reads GRPO's KL to the frozen reference (PolicyBatch.refLogProbs). */
    static boolean readsReference(ObjectiveConfig named) {
        ObjectiveConfig objective = named.effective();
        return groupRelative(objective) && objective.grpo().klBeta() > 0;
    }

    /** A training split with fewer tasks than a step's prompts would repeat tasks within one batch. */
    static void refuseSmallSplit(String dataset, int tasks, int prompts) {
        if (tasks < prompts) {
            throw new ConfigException("prompts", prompts, "at most the " + tasks + " tasks of " + dataset
                    + ": a batch would hold the same task twice");
        }
    }

    /** A top-K at or above the vocabulary is the full distribution: said once, the run is still valid. */
    static Optional<String> topKWarning(ObjectiveConfig objective, int vocabSize) {
        if (objective.name() == ObjectiveKind.GRPO || objective.name() == ObjectiveKind.REINFORCE
                || objective.divergence().topK() < vocabSize) {
            return Optional.empty();
        }
        return Optional.of("objective.divergence.top-k " + objective.divergence().topK() + " is not below the model's "
                + "vocabulary (" + vocabSize + "): the divergence is computed over the full vocabulary");
    }

    private static boolean groupRelative(ObjectiveConfig o) {
        return o.name() == ObjectiveKind.GRPO || (o.name() == ObjectiveKind.HYBRID && o.hybrid().fallback() == ObjectiveKind.GRPO);
    }

    private static String name(ObjectiveConfig o) {
        return o.name() == ObjectiveKind.GRPO ? "grpo" : "hybrid with the grpo fallback (or sdpo with distillation-weight < 1)";
    }

    /**
     * Watches SDPO's and Credit's teacher fraction: after {@link #NO_TEACHER_STEPS} steps in a row
     * where no response had a teacher context (no feedback and no successful sibling), the
     * distillation signal is empty; says so once per such stretch, with the run's fraction so far.
     */
    static final class TeacherWatch {
        private final boolean distils;
        private int emptyInARow;
        private int emptySteps;
        private int steps;

        TeacherWatch(ObjectiveConfig objective) {
            ObjectiveKind kind = objective.effective().name();
            this.distils = kind == ObjectiveKind.SDPO || kind == ObjectiveKind.CREDIT;
        }

        /** The warning to print after step {@code step}, if this step completes a stretch. */
        Optional<String> observe(long step, double teacherFrac) {
            steps++;
            boolean empty = distils && teacherFrac == 0;
            emptySteps += empty ? 1 : 0;
            emptyInARow = empty ? emptyInARow + 1 : 0;
            if (emptyInARow != NO_TEACHER_STEPS) {
                return Optional.empty();
            }
            return Optional.of(String.format(Locale.ROOT, "steps %d-%d: no response had a teacher context (no feedback and "
                    + "no successful sibling), so the distillation signal was empty; %d of %d steps so far (%.0f%%)",
                    step - NO_TEACHER_STEPS + 1, step, emptySteps, steps, 100.0 * emptySteps / steps));
        }
    }
}
