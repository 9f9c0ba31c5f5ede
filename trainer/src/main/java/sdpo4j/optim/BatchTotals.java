package sdpo4j.optim;

/**
 * The whole mini-batch a micro-batch belongs to, for a step that splits one optimizer step's
 * batch into several forward/backward passes (one run, R = 1). Objectives whose loss is not a
 * plain mean over the micro-batch's own units read it so that the accumulated update is exactly
 * the whole mini-batch's: reinforce and advantage-weighted take their batch-mean baseline from
 * it, and hybrid scales each of its two terms by that term's own mini-batch denominator. Absent
 * (null) when the batch is the whole mini-batch.
 *
 * @param responses responses in the mini-batch
 * @param teachers responses with a teacher context in the mini-batch
 * @param tokens response tokens in the mini-batch (the mask's sum)
 * @param rewardMean the mini-batch's mean sequence reward
 */
public record BatchTotals(double responses, double teachers, double tokens, double rewardMean) {}
