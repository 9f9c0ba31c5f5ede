package sdpo4j.optim;

/** How GRPO's per-token losses become one number per run (SPEC 5). */
public enum Aggregation {
    /** Sum over all response tokens of the batch divided by their count (the default). */
    TOKEN_MEAN,
    /** Token mean within each response, then mean over responses. */
    SEQ_MEAN_TOKEN_MEAN,
    /**
     * Token sum within each response divided by a constant length ({@code norm-length}), then mean over
     * responses: Dr. GRPO's loss, free of the length bias a per-response token mean has.
     */
    SEQ_MEAN_TOKEN_SUM_NORM
}
