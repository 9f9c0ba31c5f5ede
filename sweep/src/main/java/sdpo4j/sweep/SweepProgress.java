package sdpo4j.sweep;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Cells done / running / failed on the console, one line whenever a count changes. "Failed"
 * counts failed attempts: Spark retries each up to {@code spark.task.maxFailures} times.
 */
final class SweepProgress extends SparkListener {
    private final PrintStream out;
    private final int total;
    private final int before;
    private int running;
    private int done;
    private int failed;

    SweepProgress(PrintStream out, int total, int before) {
        this.out = out;
        this.total = total;
        this.before = before;
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart start) {
        running++;
        print();
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        running--;
        if (end.reason() == Success$.MODULE$) {
            done++;
        } else {
            failed++;
            out.printf(Locale.ROOT, "sweep: an attempt failed on executor %s (%s); Spark retries it%n",
                    end.taskInfo().executorId(), end.reason());
        }
        print();
    }

    private void print() {
        out.printf(Locale.ROOT, "sweep: %d/%d cells done, %d running, %d failed attempts%s%n", before + done, total,
                running, failed, before > 0 ? " (" + before + " finished before)" : "");
    }
}
