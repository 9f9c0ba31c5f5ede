package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/**
 * When and which checkpoints a run keeps (the {@code checkpoint:} section). A checkpoint is
 * the student as a HuggingFace directory plus everything {@code --resume} needs: the EMA
 * teacher, the optimizer moments and the trainer state. Each key's default and meaning:
 * {@link Builder}.
 */
public record CheckpointConfig(int every, int keepLast, String bestMetric, String bestMode) {
    public static final CheckpointConfig DEFAULT = builder().build();

    public CheckpointConfig {
        Check.atLeast("every", every, 0);
        Check.range("keep-last", keepLast, 1, 1_000_000);
        bestMetric = bestMetric == null ? "" : bestMetric;
        if (!"max".equals(bestMode) && !"min".equals(bestMode)) {
            throw new ConfigException("best-mode", bestMode, "max or min");
        }
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
        return builder().every(every).keepLast(keepLast).bestMetric(bestMetric).bestMode(bestMode);
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

        public CheckpointConfig build() {
            return new CheckpointConfig(every, keepLast, bestMetric, bestMode);
        }
    }
}
