package sdpo4j.lm.decoding;

/**
 * One sampled continuation.
 *
 * @param tokens generated ids (the EOS token, when it ended the sequence, is included)
 * @param logProbs log-probability of each generated token under the temperature-scaled model
 *     distribution, before top-k/top-p filtering
 * @param text decoded continuation, cut at a stop string when one ended it
 * @param finishReason {@code eos}, {@code stop} or {@code length}
 */
public record Generation(long[] tokens, float[] logProbs, String text, String finishReason) {}
