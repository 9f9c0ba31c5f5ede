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

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    public static Progress start(String task, long total) {
        boolean terminal = System.console() != null && System.getenv("CI") == null;
        if (!terminal) {
            return new Progress(null);
        }
        ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
        return new Progress(bar);
    }

    public synchronized void step(String message) {
        if (bar != null) {
            bar.step();
            if (message != null) {
                bar.setExtraMessage(message);
            }
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
