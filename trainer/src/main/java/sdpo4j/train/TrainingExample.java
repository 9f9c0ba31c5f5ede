package sdpo4j.train;

import java.util.List;

/**
 * One sampled response ready for the update: the contexts it is scored under and its reward.
 *
 * @param studentContext the prompt as the student saw it
 * @param teacherContext the prompt plus solution and/or feedback (the student context when there is no teacher)
 * @param contrastContexts Credit's C contexts: distinct other prompts of the batch, each with the same
 *     solution/feedback (empty for the other objectives and for responses without a teacher)
 * @param response response token ids (never empty: an empty response is scored as one pad token)
 * @param reward the environment's reward
 * @param hasTeacher whether a solution or feedback was available
 * @param usedFeedback whether the teacher context shows feedback text
 * @param demoOverlap the response's {@link DemoOverlap} with the sibling solution its teacher context shows; NaN
 *     when it shows none
 * @param truncated whether the response was cut at {@code max-new-tokens} (no EOS or stop string)
 */
record TrainingExample(long[] studentContext, long[] teacherContext, List<long[]> contrastContexts, long[] response,
        float reward, boolean hasTeacher, boolean usedFeedback, double demoOverlap, boolean truncated) {

    /** Whether the loss sees this response: not when it was truncated and {@code mask-truncated-completions} is on. */
    boolean trained(boolean maskTruncated) {
        return !(maskTruncated && truncated);
    }
}
