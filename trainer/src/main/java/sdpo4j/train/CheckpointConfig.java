package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.lm.weights.SaveOptions;

/**
 * When and which checkpoints a run keeps (the {@code checkpoint:} section). A checkpoint is
 * the student as a HuggingFace directory plus everything {@code --resume} needs: the EMA
 * teacher, the optimizer moments and the trainer state. Each key's default and meaning:
 * {@link Builder}.
 */
public record CheckpointConfig(int every, int keepLast, String bestMetric, String bestMode, String dtype, String maxShardSize) {
    public static final CheckpointConfig DEFAULT = builder().build();

    public CheckpointConfig {
        Check.atLeast("every", every, 0);
        Check.range("keep-last", keepLast, 1, 1_000_000);
        bestMetric = bestMetric == null ? "" : bestMetric;
        if (!"max".equals(bestMode) && !"min".equals(bestMode)) {
            throw new ConfigException("best-mode", bestMode, "max or min");
        }
        saveOptions(dtype, maxShardSize); // refuses a bad dtype or size now, not after the last step
    }

    /** How {@code final/} is written. */
    public SaveOptions finalModel() {
        return saveOptions(dtype, maxShardSize);
    }

    /**
     * How a checkpoint's student and teacher are written: fp32 whatever {@code dtype} says, so that
     * {@code --resume} continues from exactly the weights it stopped at.
     */
    public SaveOptions resumable() {
        return SaveOptions.EXACT.withShards(SaveOptions.parseSize("max-shard-size", maxShardSize));
    }

    private static SaveOptions saveOptions(String dtype, String size) {
        return new SaveOptions(dtype, SaveOptions.parseSize("max-shard-size", size));
    }

    /** Whether {@code candidate} beats {@code best} (NaN never does; anything beats NaN). */
    public boolean better(double candidate, double best) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        return Double.isNaN(best) || ("max".equals(bestMode) ? candidate > best : candidate < best);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().every(every).keepLast(keepLast).bestMetric(bestMetric).bestMode(bestMode).dtype(dtype)
                .maxShardSize(maxShardSize);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("write one every N steps (and always after the last); 0 = only after the last")
        private int every = 10;
        @Doc("keep the newest N; older ones are deleted unless they are the best")
        private int keepLast = 2;
        @Doc("a metrics key (an eval metric, usually) that picks the best checkpoint to keep; empty keeps none specially")
        private String bestMetric = "eval_greedy_accuracy";
        @Doc("`max` or `min`")
        private String bestMode = "max";
        @Doc("weights' dtype in `final/`: `auto` (bfloat16 when the starting model's config.json says bfloat16, else "
                + "float32), `float32` or `bfloat16`; checkpoints/ always keep float32 so that --resume is exact")
        private String dtype = "auto";
        @Doc("weights above this size are split into `model-0000i-of-0000N.safetensors` shards with "
                + "`model.safetensors.index.json`, as `save_pretrained(max_shard_size=...)`: 5GB = 5e9 bytes, 5GiB = 5 * 2^30")
        private String maxShardSize = SaveOptions.DEFAULT_MAX_SHARD_SIZE;

        private Builder() {}

        public Builder every(int v) {
            every = v;
            return this;
        }

        public Builder keepLast(int v) {
            keepLast = v;
            return this;
        }

        public Builder bestMetric(String v) {
            bestMetric = v;
            return this;
        }

        public Builder bestMode(String v) {
            bestMode = v;
            return this;
        }

        public Builder dtype(String v) {
            dtype = v;
            return this;
        }

        public Builder maxShardSize(String v) {
            maxShardSize = v;
            return this;
        }

        public CheckpointConfig build() {
            return new CheckpointConfig(every, keepLast, bestMetric, bestMode, dtype, maxShardSize);
        }
    }
}
