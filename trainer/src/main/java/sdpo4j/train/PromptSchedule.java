package sdpo4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Which prompts step s trains on, as a pure function of the seed and s: the dataset is
 * reshuffled every epoch with a seed derived from (seed, epoch), and step s takes the
 * {@code prompts} tasks after position {@code s * prompts}. Being stateless is what lets
 * {@code --resume} continue the data stream from the step count alone.
 */
public final class PromptSchedule<T> {
    private final List<T> tasks;
    private final int perStep;
    private final long seed;
    private long cachedEpoch = -1;
    private List<T> cachedOrder;

    PromptSchedule(List<T> tasks, int perStep, long seed) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks to schedule");
        }
        this.tasks = List.copyOf(tasks);
        this.perStep = perStep;
        this.seed = seed;
    }

    /** The prompts of step {@code step} (0-based). */
    List<T> batch(long step) {
        List<T> out = new ArrayList<>(perStep);
        for (long i = step * perStep; i < (step + 1) * perStep; i++) {
            out.add(order(i / tasks.size()).get((int) (i % tasks.size())));
        }
        return out;
    }

    private List<T> order(long epoch) {
        if (epoch != cachedEpoch) {
            List<T> o = new ArrayList<>(tasks);
            Collections.shuffle(o, new Random(streamSeed(seed, 0x5EED_DA7AL, epoch)));
            cachedOrder = o;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    /** An independent seed for (run seed, purpose, index): the per-step random streams. */
    public static long streamSeed(long seed, long purpose, long index) {
        return new SplittableRandom(new SplittableRandom(seed ^ purpose).nextLong() + index).nextLong();
    }
}
