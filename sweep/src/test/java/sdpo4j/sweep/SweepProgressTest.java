package sdpo4j.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.apache.spark.scheduler.cluster.ExecutorInfo;
import org.junit.jupiter.api.Test;

/**
 * The console's counts under the event order Spark really posts: the next task's start before
 * the previous task's end (its result still being fetched), so "running" never reads more than
 * the cores.
 */
class SweepProgressTest {
    private static TaskInfo task(long id, String executor) {
        return new TaskInfo(id, (int) id, 0, 0L, executor, "127.0.0.1", TaskLocality.PROCESS_LOCAL(), false);
    }

    private static SparkListenerTaskEnd end(long id, String executor) {
        return new SparkListenerTaskEnd(0, 0, "ResultTask", Success$.MODULE$, task(id, executor), null, null);
    }

    @Test
    void runningIsAtMostTheLocalSlotsWhenAStartOvertakesAnEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SweepProgress p = new SweepProgress(new PrintStream(out, true, StandardCharsets.UTF_8), 4, 0, 2);
        p.onTaskStart(new SparkListenerTaskStart(0, 0, task(0, "driver")));
        p.onTaskStart(new SparkListenerTaskStart(0, 0, task(1, "driver")));
        // Task 0 finished on its executor (slot freed, task 2 launched) before the driver posts its end.
        p.onTaskStart(new SparkListenerTaskStart(0, 0, task(2, "driver")));
        assertEquals(2, p.running());
        p.onTaskEnd(end(0, "driver"));
        assertEquals(2, p.running());
        p.onTaskEnd(end(1, "driver"));
        assertEquals(1, p.running());
        String console = out.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("0/4 cells done, 2 running"), console);
        assertTrue(!console.contains("3 running"), console);
        assertEquals(1, console.split("0/4 cells done, 2 running", -1).length - 1, "a line that changes nothing is not repeated");
    }

    @Test
    void onAClusterTheSlotsFollowTheExecutors() {
        SweepProgress p = new SweepProgress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 4, 0, 0);
        p.onExecutorAdded(new SparkListenerExecutorAdded(0, "0", new ExecutorInfo("127.0.0.1", 1, scala.collection.immutable.Map$.MODULE$.empty())));
        p.onExecutorAdded(new SparkListenerExecutorAdded(0, "1", new ExecutorInfo("127.0.0.1", 1, scala.collection.immutable.Map$.MODULE$.empty())));
        for (long t = 0; t < 3; t++) {
            p.onTaskStart(new SparkListenerTaskStart(0, 0, task(t, t == 1 ? "1" : "0")));
        }
        assertEquals(2, p.running());
        p.onExecutorRemoved(new SparkListenerExecutorRemoved(0, "1", "worker lost"));
        assertEquals(1, p.running());
    }
}
