package sdpo4j.sim;

import ai.djl.ndarray.NDArray;

/**
 * What the oracles return for a batch of rollouts.
 *
 * @param score the feedback value f in [0, 1] (binary and ordinal quantised) {@code [R, B]}
 * @param hints per-token quality hints {@code h_t = q(t, s_t) + noise} {@code [R, B, T]}; only
 *     critique teachers read them
 */
public record Feedback(NDArray score, NDArray hints) {}
