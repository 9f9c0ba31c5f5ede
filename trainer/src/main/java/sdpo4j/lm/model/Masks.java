package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Additive attention masks: 0 where a query may see a key, {@link DecoderLM#MASKED} elsewhere. */
final class Masks {
    private Masks() {}

    /**
     * Additive mask: 0 where query i may see key j (j <= past + i and j is real, or as a rank-3
     * mask says), a large negative number elsewhere. {@code [B, 1, 1, L, S]} for several new tokens
     * of a model with grouped-query heads (scores are viewed as {@code [B, kvHeads, group, L, S]},
     * so the mask broadcasts over a group's query heads instead of being copied for each),
     * {@code [B, 1, L, S]} otherwise.
     */
    static NDArray attentionBias(NDArray attentionMask, long past, long l, int group, Constants c) {
        Shape shape = attentionMask.getShape();
        long s = shape.get(shape.dimension() - 1);
        NDArray bias;
        if (shape.dimension() == 3) {
            if (shape.get(1) != l || s != past + l) {
                throw new IllegalArgumentException("attention mask " + shape + " for " + l + " new tokens after " + past);
            }
            bias = maskBias(attentionMask.toType(DataType.BOOLEAN, false).reshape(-1, 1, l, s), c);
        } else {
            bias = maskBias(attentionMask.toType(DataType.BOOLEAN, false).reshape(-1, 1, 1, s), c);
            if (l > 1) {
                // A single new token may see every cached key, so only several tokens need the causal
                // part. Padding [B, 1, 1, S] and causal [L, S] are biased apart and added: one op over
                // [B, 1, L, S] instead of four (MASKED twice where both mask a key: still finite).
                NDManager m = attentionMask.getManager();
                NDArray query = m.arange(past, past + l, 1, DataType.INT64).reshape(l, 1);
                NDArray key = m.arange(0, s, 1, DataType.INT64);
                bias = bias.add(maskBias(key.lte(query), c));
            }
        }
        return l > 1 && group > 1 ? bias.expandDims(1) : bias;
    }

    /**
     * {@code mask} (null: none) plus the sliding window: keys whose position is {@code window} or more
     * before the query's are masked. {@code queryPositions} {@code [B, L]}, {@code keyPositions}
     * {@code [B, S]} (the cached keys' and the new ones'); the result has {@link #attentionBias}'s shape.
     * Positions, not indices in the row: the window is the same for left-padded prompts (as
     * HuggingFace's, whose tokens are contiguous) and for rows that pack or share contexts.
     */
    static NDArray window(NDArray mask, NDArray queryPositions, NDArray keyPositions, int window, int group, Constants c) {
        long l = queryPositions.getShape().get(1);
        NDArray distance = queryPositions.expandDims(2).sub(keyPositions.expandDims(1)); // [B, L, S]
        NDArray bias = maskBias(distance.lt(window), c).expandDims(1);
        if (l > 1 && group > 1) {
            bias = bias.expandDims(1);
        }
        return mask == null ? bias : mask.add(bias);
    }

    /** 0 where {@code allowed}, {@link DecoderLM#MASKED} elsewhere: (allowed - 1) * 1e9 (DJL's where() does not broadcast). */
    private static NDArray maskBias(NDArray allowed, Constants c) {
        return allowed.toType(DataType.FLOAT32, false).sub(c.one).mul(c.maskedScale);
    }

    /** {@code scores} {@code [B, kvHeads, group*L, S]} plus the additive mask (none when null). */
    static NDArray withMask(NDArray scores, NDArray mask, long kvHeads, long group) {
        if (mask == null) {
            return scores;
        }
        if (mask.getShape().dimension() == 5) {
            // The mask is [B, 1, 1, L, S] (attentionBias): one copy for a group's query heads.
            Shape shape = scores.getShape();
            long b = shape.get(0);
            long keys = shape.get(3);
            return scores.reshape(b, kvHeads, group, shape.get(2) / group, keys).add(mask).reshape(shape);
        }
        return scores.add(mask);
    }
}
