package sdpo4j.sweep;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.Success$;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * Cells done / running / failed on the console, one line whenever a count changes. "Failed"
 * counts failed attempts: Spark retries each up to {@code spark.task.maxFailures} times.
 *
 * <p>"Running" is at most the executors' cores: a slot is freed, and the next task started, as
 * soon as an executor reports a task finished, while the driver posts that task's end only after
 * fetching its result. Between the two, started minus ended counts the finishing task as well
 * (3 on {@code local[2]}), though it no longer runs.
 */
final class SweepProgress extends SparkListener {
    private final PrintStream out;
    private final int total;
    private final int before;
    private int running;
    private int done;
    private int failed;
    private String last = "";
    /** Cores per live executor. */
    private final Map<String, Integer> cores = new HashMap<>();

    /**
     * @param localCores the task slots of an embedded master (its executor registered before this
     *     listener could see it), 0 on a cluster, whose executors are counted as they register
     */
    SweepProgress(PrintStream out, int total, int before, int localCores) {
        this.out = out;
        this.total = total;
        this.before = before;
        if (localCores > 0) {
            cores.put("driver", localCores);
        }
    }

    @Override
    public synchronized void onExecutorAdded(SparkListenerExecutorAdded added) {
        cores.put(added.executorId(), added.executorInfo().totalCores());
    }

    @Override
    public synchronized void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        cores.remove(removed.executorId());
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

    /** Tasks started and not ended, at most the cores of the live executors (when any is known). */
    int running() {
        int slots = cores.values().stream().mapToInt(Integer::intValue).sum();
        return cores.isEmpty() ? running : Math.min(running, slots);
    }

    /** Prints the counts unless they read as the last line did (a start capped at the cores changes nothing). */
    private void print() {
        String line = String.format(Locale.ROOT, "sweep: %d/%d cells done, %d running, %d failed attempts%s", before + done,
                total, running(), failed, before > 0 ? " (" + before + " finished before)" : "");
        if (!line.equals(last)) {
            out.println(line);
            last = line;
        }
    }
}
