package sdpo4j.sim;

/** The feedback oracles of SPEC 2.3, in order of informativeness. */
public enum FeedbackType {
    /** Pass/fail at reward 0.5. */
    BINARY,
    /** 1-5 stars, mapped to [0, 1]. */
    ORDINAL,
    /** The (noisy) reward itself. */
    CONTINUOUS,
    /** Continuous plus per-token hints that move the teacher on the sampled token (our informative variant). */
    CRITIQUE,
    /** The paper's literal critique teacher {@code l + beta f (q - h_t)}: h_t cancels in the softmax. */
    CRITIQUE_LITERAL;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
