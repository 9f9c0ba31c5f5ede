package sdpo4j.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the current thread only. DJL's {@code GradientCollector} allows one
 * collector per JVM; libtorch's grad mode is thread-local and its autograd engine runs
 * independent graphs concurrently, so independent trainings (the simulator's cohorts) can
 * each record on their own thread. Use as
 * {@code try (Autograd.Recording rec = Autograd.record()) { loss = ...; rec.backward(loss); }}.
 */
public final class Autograd {
    static {
        // JniUtils calls libtorch directly: its natives are loaded by the engine, which a fresh JVM
        // (compare run alone, a sweep's executor) may not have started before a worker thread's
        // first disableOnThisThread (UnsatisfiedLinkError: torchSetGradMode).
        Engine.getEngine("PyTorch");
    }

    private Autograd() {}

    /**
     * Zeroes the accumulated gradients of {@code parameters} in place: libtorch adds each
     * backward pass into {@code .grad}, so a training loop clears them after every update.
     */
    public static void zeroGradients(java.util.List<NDArray> parameters) {
        // The scope closes the scalar the assignment creates; the model's manager would keep it.
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            for (NDArray p : parameters) {
                if (p.hasGradient()) {
                    // An assignment, not g * 0: a NaN or Inf gradient times 0 stays NaN.
                    p.getGradient().set(new ai.djl.ndarray.index.NDIndex("..."), 0);
                }
            }
        }
    }

    /**
     * Turns grad mode off for the calling thread: libtorch starts every new thread with it on, so
     * a worker thread that runs models outside a recording would otherwise build autograd graphs.
     */
    public static void disableOnThisThread() {
        // The JNI call needs the native library, which loading the engine brings: a worker thread can be
        // the first to touch libtorch (compare and ablate start their runs on a pool before any array exists).
        ai.djl.engine.Engine.getEngine("PyTorch");
        JniUtils.setGradMode(false);
    }

    /** Turns grad mode on for this thread until the recording is closed. */
    public static Recording record() {
        return new Recording(JniUtils.isGradMode());
    }

    /** The recordings open on this thread, innermost first. */
    private static final ThreadLocal<java.util.Deque<Recording>> OPEN = ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /** Whether a {@link Recording} is open on this thread (its backward will run continuations). */
    public static boolean isRecording() {
        return !OPEN.get().isEmpty();
    }

    /**
     * Has the innermost open recording run {@code rest} after its next backward, latest first:
     * the part of a backward that a forward chose not to record (activation checkpointing
     * recomputes it then, and back-propagates it with gradients the first part left on its leaves).
     */
    public static void continueBackward(Runnable rest) {
        Recording r = OPEN.get().peek();
        if (r == null) {
            throw new IllegalStateException("a checkpointed forward needs an open Autograd.Recording");
        }
        r.continuations.push(rest);
    }

    /** An open recording; closing it restores the thread's previous grad mode. */
    public static final class Recording implements AutoCloseable {
        private final boolean previous;
        private final java.util.Deque<Runnable> continuations = new java.util.ArrayDeque<>();

        private Recording(boolean previous) {
            this.previous = previous;
            JniUtils.setGradMode(true);
            OPEN.get().push(this);
        }

        /** Back-propagates a scalar loss into the gradients of the leaves that require them. */
        public void backward(NDArray loss) {
            if (loss.getShape().size() != 1) {
                throw new IllegalArgumentException("backward needs a scalar loss, got shape " + loss.getShape());
            }
            try (NDArray seed = loss.onesLike()) {
                JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
            }
            while (!continuations.isEmpty()) {
                continuations.pop().run();
            }
        }

        @Override
        public void close() {
            continuations.clear();
            OPEN.get().remove(this);
            JniUtils.setGradMode(previous);
        }
    }
}
