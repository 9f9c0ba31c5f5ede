package sdpo4j.optim;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Test helper: makes the JVM free every direct buffer that has become unreachable, now. A
 * buffer DJL allocated for an array created from Java data is freed only by the garbage
 * collector, so a tensor that still points into it after its NDArray was closed reads
 * whatever the allocator then writes there; forcing the collection turns that rare race
 * into a certainty.
 */
public final class FreedMemory {
    private FreedMemory() {}

    /** Collects, and waits until the reference handler has run the cleaners the collection found. */
    public static void release() {
        for (int round = 0; round < 3; round++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
            System.gc();
            try {
                // The reference handler enqueues phantoms and runs direct-buffer cleaners from
                // the same pending list: once the sentinel is enqueued, that list has been taken.
                if (queue.remove(2000) == null) {
                    throw new IllegalStateException("the collector did not clear a phantom reference within 2 s");
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sentinel.clear();
        }
    }
}
