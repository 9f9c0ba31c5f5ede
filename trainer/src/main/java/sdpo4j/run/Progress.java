package sdpo4j.run;

import java.util.function.IntConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A console progress bar with ETA for long work (me.tongfei:progressbar), shown only when
 * standard error is a terminal and {@code CI} is unset: logs and pipes stay clean. Thread-safe:
 * the simulator's cohorts report from two threads.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final boolean lines;
    private long done;

    private Progress(ProgressBar bar, String task, long total, long initial, boolean lines) {
        this.bar = bar;
        this.task = task;
        this.total = total;
        this.done = initial;
        this.lines = lines;
    }

    /** A bar on a terminal; silent elsewhere (CI, pipes). */
    public static Progress start(String task, long total) {
        return start(task, total, 0, false);
    }

    /**
     * A bar on a terminal starting at {@code initial} (a resumed run); elsewhere, with
     * {@code lines}, one plain line per tenth of the work on stderr, so long jobs show progress in
     * logs too.
     */
    public static Progress start(String task, long total, long initial, boolean lines) {
        if (!terminal()) {
            return new Progress(null, task, total, initial, lines);
        }
        ProgressBar bar = builder(task, total).build();
        bar.stepTo(initial);
        return new Progress(bar, task, total, initial, false);
    }

    /** A bar over a byte count shown in MB, on a terminal only (no plain lines: the work takes seconds). */
    public static Progress startBytes(String task, long totalBytes) {
        ProgressBar bar = terminal() ? builder(task, totalBytes).setUnit(" MB", 1_000_000).build() : null;
        return new Progress(bar, task, totalBytes, 0, false);
    }

    private static boolean terminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    private static ProgressBarBuilder builder(String task, long total) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err));
    }

    /** Advances by {@code amount} units of work (bytes for {@link #startBytes}). */
    public synchronized void advance(long amount) {
        done += amount;
        if (bar != null) {
            bar.stepBy(amount);
        }
    }

    public synchronized void step(String message) {
        done++;
        if (bar != null) {
            bar.step();
            if (message != null) {
                bar.setExtraMessage(message);
            }
        } else if (lines && (done == total || done % Math.max(1, total / 10) == 0)) {
            System.err.println(task + " " + done + "/" + total + (message == null ? "" : "  " + message));
        }
    }

    /** A callback that advances the bar by one per call, for work that counts its own steps. */
    public IntConsumer stepper() {
        return ignored -> step(null);
    }

    public boolean visible() {
        return bar != null;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
