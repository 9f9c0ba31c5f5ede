package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a backend hands the optimizer layer for one update (SPEC 1). The leading axis R holds
 * independent runs that share nothing but the tensor (the simulator batches seeds, feedback
 * types and noise levels there; the LM trainer uses R = 1). Within a run, N responses of
 * length L over a vocabulary of V; responses come in contiguous groups of {@code groupSize}
 * (the G rollouts of one prompt).
 *
 * @param studentLogits {@code [R, N, L, V]}, with gradient; the response axis may have size 1
 *     when every response shares the same per-position distribution (a factored policy, as in
 *     the simulator), which saves computing the same softmax N times
 * @param tokens sampled token ids {@code [R, N, L]} (int64)
 * @param mask 1 at response positions, 0 at padding {@code [R, N, L]}
 * @param rewards sequence rewards {@code [R, N]}
 * @param groupSize responses per prompt; N must be a multiple of it
 * @param oldLogProbs behaviour-policy log-probs of the sampled tokens {@code [R, N, L]}, or
 *     null on-policy (then the importance ratio is exactly 1)
 * @param refLogProbs frozen-reference log-probs of the sampled tokens for GRPO's k3 KL, or null
 * @param teacherLogits teacher logits or log-probs {@code [R, N, L, V]}, no gradient, or null
 * @param hasTeacher 1 where a response has a teacher context {@code [R, N]}; null = all
 * @param contrastiveLogits Credit's C contrastive teacher passes, each {@code [R, N, L, V]}
 * @param tokenQuality per-token quality estimate of the sampled tokens, centred per position
 *     ({@code q(t, s_t) - mean q(t, .)}), {@code [R, N, L]}: the advantage-weighted input
 * @param totals the mini-batch this batch is one micro-batch of, or null when it is the whole
 *     mini-batch (then every objective reads only this batch)
 * @param advantages GRPO's group-normalised sequence advantages {@code [R, N]}, taken from whole
 *     groups, for a batch that is a slice of its groups (the LM step's response chunks); null:
 *     computed from {@code rewards} and {@code groupSize}
 */
public record PolicyBatch(
        NDArray studentLogits,
        NDArray tokens,
        NDArray mask,
        NDArray rewards,
        int groupSize,
        NDArray oldLogProbs,
        NDArray refLogProbs,
        NDArray teacherLogits,
        NDArray hasTeacher,
        List<NDArray> contrastiveLogits,
        NDArray tokenQuality,
        BatchTotals totals,
        NDArray advantages) {

    public PolicyBatch {
        requireRank("studentLogits", studentLogits, 4);
        requireRank("tokens", tokens, 3);
        requireRank("mask", mask, 3);
        requireRank("rewards", rewards, 2);
        long n = tokens.getShape().get(1);
        long studentN = studentLogits.getShape().get(1);
        if (studentN != n && studentN != 1) {
            throw new IllegalArgumentException("studentLogits has " + studentN + " responses but tokens have " + n);
        }
        if (groupSize < 1 || n % groupSize != 0) {
            throw new IllegalArgumentException(
                    "groupSize " + groupSize + " must be >= 1 and divide the number of responses " + n);
        }
        contrastiveLogits = contrastiveLogits == null ? List.of() : List.copyOf(contrastiveLogits);
        if (totals != null && studentLogits.getShape().get(0) != 1) {
            throw new IllegalArgumentException("totals describe one run's mini-batch; got " + studentLogits.getShape().get(0) + " runs");
        }
    }

    private static void requireRank(String name, NDArray array, int rank) {
        if (array == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (array.getShape().dimension() != rank) {
            throw new IllegalArgumentException(name + " must have rank " + rank + ", got shape " + array.getShape());
        }
    }

    public static Builder builder(NDArray studentLogits, NDArray tokens, NDArray mask, NDArray rewards) {
        return new Builder(studentLogits, tokens, mask, rewards);
    }

    public long runs() {
        return studentLogits.getShape().get(0);
    }

    /** Builder for the optional inputs; the four required ones go in the constructor. */
    public static final class Builder {
        private final NDArray studentLogits;
        private final NDArray tokens;
        private final NDArray mask;
        private final NDArray rewards;
        private int groupSize = 1;
        private NDArray oldLogProbs;
        private NDArray refLogProbs;
        private NDArray teacherLogits;
        private NDArray hasTeacher;
        private List<NDArray> contrastiveLogits = List.of();
        private NDArray tokenQuality;
        private BatchTotals totals;
        private NDArray advantages;

        private Builder(NDArray studentLogits, NDArray tokens, NDArray mask, NDArray rewards) {
            this.studentLogits = studentLogits;
            this.tokens = tokens;
            this.mask = mask;
            this.rewards = rewards;
        }

        public Builder groupSize(int g) { this.groupSize = g; return this; }
        public Builder oldLogProbs(NDArray a) { this.oldLogProbs = a; return this; }
        public Builder refLogProbs(NDArray a) { this.refLogProbs = a; return this; }
        public Builder teacher(NDArray logits, NDArray has) { this.teacherLogits = logits; this.hasTeacher = has; return this; }
        public Builder contrastive(List<NDArray> logits) { this.contrastiveLogits = logits; return this; }
        public Builder tokenQuality(NDArray a) { this.tokenQuality = a; return this; }
        public Builder totals(BatchTotals t) { this.totals = t; return this; }
        public Builder advantages(NDArray a) { this.advantages = a; return this; }

        public PolicyBatch build() {
            return new PolicyBatch(studentLogits, tokens, mask, rewards, groupSize, oldLogProbs, refLogProbs,
                    teacherLogits, hasTeacher, contrastiveLogits, tokenQuality, totals, advantages);
        }
    }
}
