package sdpo4j.sim;

import ai.djl.ndarray.NDArray;

/**
 * One step's sampled sequences of every run and what the world reads off them
 * ({@link World#rollouts}).
 *
 * @param tokens sampled tokens {@code s [R, B, T]} (int64)
 * @param quality token quality {@code q(t, s_t) [R, B, T]}
 * @param bigram coherence bonus {@code b(s_t, s_t+1) [R, B, T-1]}
 * @param matches positions matching the target pattern, {@code #[s_t = s*_t] [R, B]}
 * @param favoured share of positions holding the world's worst token {@code [R, B]}: what a
 *     biased judge over-rates
 */
record Rollouts(NDArray tokens, NDArray quality, NDArray bigram, NDArray matches, NDArray favoured) {}
