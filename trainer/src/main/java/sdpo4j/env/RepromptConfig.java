package sdpo4j.env;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/**
 * How each response's teacher context is built from its group (SPEC 3): which siblings count as
 * demonstrations, what of them and of the feedback is shown, and how long the context may be.
 * The {@code reprompt:} section of a training config; each key's default and meaning: {@link Builder}.
 */
public record RepromptConfig(
        Double successRewardThreshold,
        boolean dontRepromptOnSelfSuccess,
        boolean removeThinking,
        boolean includeSolution,
        boolean includeFeedback,
        boolean feedbackOnlyWithoutSolution,
        int maxRepromptLen,
        Truncation truncation) {

    public static final RepromptConfig DEFAULT = builder().build();

    public RepromptConfig {
        if (successRewardThreshold != null) {
            Check.inRange("success-reward-threshold", successRewardThreshold, 0, 1);
        }
        Check.range("max-reprompt-len", maxRepromptLen, 1, Integer.MAX_VALUE);
        if (!includeSolution && !includeFeedback) {
            throw new ConfigException("include-feedback", false, "true when include-solution is false (with neither, no "
                    + "response has a teacher and self-distillation has nothing to distil)");
        }
        if (truncation == null) {
            throw new ConfigException("truncation", null, "one of [right, left, error]");
        }
    }

    /** Whether a scored sibling counts as a successful demonstration. */
    public boolean success(Score score) {
        return successRewardThreshold == null ? score.success() : score.reward() >= successRewardThreshold;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().successRewardThreshold(successRewardThreshold).dontRepromptOnSelfSuccess(dontRepromptOnSelfSuccess)
                .removeThinking(removeThinking).includeSolution(includeSolution).includeFeedback(includeFeedback)
                .feedbackOnlyWithoutSolution(feedbackOnlyWithoutSolution).maxRepromptLen(maxRepromptLen).truncation(truncation);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("reward at or above which a sibling is a successful demonstration (for continuous rewards); null = the "
                + "environment's own verdict (`env.success-threshold` for sequence-quality, a full score elsewhere)")
        private Double successRewardThreshold = null;
        @Doc("never show a response its own text: a success that is its group's only one then gets no solution (off: "
                + "it may be shown itself)")
        private boolean dontRepromptOnSelfSuccess = true;
        @Doc("strip `<think>...</think>` spans (and an unclosed `<think>` to the end) from a sibling's solution before "
                + "showing it (thinking models)")
        private boolean removeThinking = false;
        @Doc("show a successful sibling as the solution (off: the feedback only, never a sibling: the SDPO paper's "
                + "feedback-only teacher-context ablation; include-feedback off instead is its solution-only one)")
        private boolean includeSolution = true;
        @Doc("show the environment's feedback on the response in its teacher context")
        private boolean includeFeedback = true;
        @Doc("show the feedback only when no solution is shown (off: beside the solution too)")
        private boolean feedbackOnlyWithoutSolution = true;
        @Doc("longest teacher context in tokens (chat template included)")
        private int maxRepromptLen = 10240;
        @Doc("a longer context: `right` keeps its first tokens and the chat template's closing ones (end of turn, "
                + "generation prompt), `left` its last tokens, `error` stops the run naming the length and the limit")
        private Truncation truncation = Truncation.RIGHT;

        private Builder() {}

        public Builder successRewardThreshold(Double v) {
            successRewardThreshold = v;
            return this;
        }

        public Builder dontRepromptOnSelfSuccess(boolean v) {
            dontRepromptOnSelfSuccess = v;
            return this;
        }

        public Builder removeThinking(boolean v) {
            removeThinking = v;
            return this;
        }

        public Builder includeSolution(boolean v) {
            includeSolution = v;
            return this;
        }

        public Builder includeFeedback(boolean v) {
            includeFeedback = v;
            return this;
        }

        public Builder feedbackOnlyWithoutSolution(boolean v) {
            feedbackOnlyWithoutSolution = v;
            return this;
        }

        public Builder maxRepromptLen(int v) {
            maxRepromptLen = v;
            return this;
        }

        public Builder truncation(Truncation v) {
            truncation = v;
            return this;
        }

        public RepromptConfig build() {
            return new RepromptConfig(successRewardThreshold, dontRepromptOnSelfSuccess, removeThinking, includeSolution,
                    includeFeedback,
                    feedbackOnlyWithoutSolution, maxRepromptLen, truncation);
        }
    }
}
