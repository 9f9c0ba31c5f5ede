package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;

/**
 * When and which checkpoints a run keeps (the {@code checkpoint:} section). A checkpoint is
 * the student as a HuggingFace directory plus everything {@code --resume} needs: the EMA
 * teacher, the optimizer moments and the trainer state.
 *
 * @param every write one every N steps (and always after the last); 0 = only after the last
 * @param keepLast keep the newest N; older ones are deleted unless they are the best
 * @param bestMetric a metrics key (an eval metric, usually) that picks the best checkpoint to keep;
 *     empty keeps none specially
 * @param bestMode {@code max} or {@code min}
 */
public record CheckpointConfig(int every, int keepLast, String bestMetric, String bestMode) {
    public static final CheckpointConfig DEFAULT = new CheckpointConfig(10, 2, "eval_greedy_accuracy", "max");

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
}
