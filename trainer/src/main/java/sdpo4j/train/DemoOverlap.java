package sdpo4j.train;

import java.nio.LongBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * How much of a response repeats the sibling solution shown in its teacher context: the share of
 * the response's token n-grams (with repetition) that occur anywhere in the solution. 1 is a
 * verbatim copy (or a piece of one), 0 shares no n-gram. The {@code demo_overlap} metric is its
 * mean over the responses whose teacher was shown a solution; {@link TrainingHealth} warns when it
 * stays high (the student memorising demonstrations).
 *
 * <p>A response shorter than an n-gram has none and is not counted: a short answer that equals its
 * sibling's ("42" and "42") is the task's answer, not a copied demonstration, and counting it would
 * make every converged short-answer run look like copying.
 */
final class DemoOverlap {
    /** Tokens per n-gram: long enough that shared function words and digits alone do not count. */
    static final int N = 4;

    private DemoOverlap() {}

    /**
     * The overlap of {@code response} with {@code solution} (token ids of the same tokenizer); NaN
     * for a response shorter than {@link #N} tokens.
     */
    static double of(long[] response, long[] solution) {
        int n = N;
        if (response.length < n) {
            return Double.NaN;
        }
        // A buffer over an n-gram's window compares and hashes by its elements (arrays would by identity).
        Set<LongBuffer> shown = new HashSet<>();
        for (int i = 0; i + n <= solution.length; i++) {
            shown.add(LongBuffer.wrap(solution, i, n));
        }
        int grams = response.length - n + 1;
        int repeated = 0;
        for (int i = 0; i < grams; i++) {
            repeated += shown.contains(LongBuffer.wrap(response, i, n)) ? 1 : 0;
        }
        return repeated / (double) grams;
    }
}
