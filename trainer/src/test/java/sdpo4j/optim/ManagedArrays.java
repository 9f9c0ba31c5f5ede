package sdpo4j.optim;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;

/** Counts the arrays attached to a manager: what a call leaves there stays until the manager closes (for a model's, the run). */
public final class ManagedArrays {
    private ManagedArrays() {}

    /** Arrays attached to {@code m} now. */
    public static int count(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    /** Arrays {@code call} leaves attached to {@code m}. */
    public static int leftBehind(NDManager m, Runnable call) {
        int before = count(m);
        call.run();
        return count(m) - before;
    }
}
