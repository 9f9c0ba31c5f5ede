package sdpo4j.optim;

import ai.djl.ndarray.NDArray;

/** The aggregations of SPEC 1.1 and 5, per run (axis 0 is kept). */
final class Reductions {

    private Reductions() {}

    /** Token mean within each response: {@code [R, N, L] -> [R, N]}; empty responses give 0. */
    static NDArray tokenMeanPerResponse(NDArray perToken, NDArray mask) {
        return perToken.mul(mask).sum(new int[] {2}).div(Scalars.maximum(mask.sum(new int[] {2}), 1.0));
    }

    /**
     * Mean over responses with weight 1 (the rest count as absent, not as zero):
     * {@code [R, N] -> [R]}. A run where no response counts gives 0.
     */
    static NDArray meanOverPresent(NDArray perResponse, NDArray present) {
        return perResponse.mul(present).sum(new int[] {1}).div(Scalars.maximum(present.sum(new int[] {1}), 1.0));
    }

    /** Mean over all response tokens of a run: {@code [R, N, L] -> [R]}. */
    static NDArray tokenMean(NDArray perToken, NDArray mask) {
        return perToken.mul(mask).sum(new int[] {1, 2}).div(Scalars.maximum(mask.sum(new int[] {1, 2}), 1.0));
    }

    /** Response tokens per run, the denominator of {@link #tokenMean}: {@code [R, N, L] -> [R]}. */
    static NDArray tokenCount(NDArray mask) {
        return mask.sum(new int[] {1, 2});
    }

    /** Responses per run, the denominator of {@link #seqMeanTokenMean}: {@code [R, N] -> [R]}. */
    static NDArray responseCount(NDArray rewards) {
        return rewards.onesLike().sum(new int[] {1});
    }

    /** Token mean per response, then mean over all responses: {@code [R, N, L] -> [R]}. */
    static NDArray seqMeanTokenMean(NDArray perToken, NDArray mask) {
        return tokenMeanPerResponse(perToken, mask).mean(new int[] {1});
    }
}
