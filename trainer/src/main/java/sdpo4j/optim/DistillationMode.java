package sdpo4j.optim;

/** What the student is compared to the teacher on at each response position (SPEC 1.1). */
public enum DistillationMode {
    /** The divergence over the top-K support with its tail bucket (the default; the whole vocabulary when K >= V). */
    TOP_K,
    /** The divergence over the whole vocabulary, whatever {@code top-k} says. */
    FULL,
    /**
     * Reverse KL estimated on the sampled token only: per token {@code sg(log s(y) - log t(y)) * log s(y)},
     * whose gradient, in expectation over {@code y ~ s}, is the gradient of {@code KL(s || t)}. The
     * cheapest; alpha must be 1.
     */
    SAMPLED_TOKEN
}
