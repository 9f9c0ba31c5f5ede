package sdpo4j.sweep;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import sdpo4j.config.ConfigException;

/**
 * Runs a sweep on Spark from the driver: plans the cells, skips those already finished in the
 * sweep directory, runs the others as one task each, then writes the report from the cells'
 * directories (one per cell, so none is counted twice).
 */
public final class Sweep {
    /** Attempts per cell: a cell that fails is retried this many times in all before the sweep stops. */
    static final int MAX_FAILURES = 4;
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\d+|\\*)])?");

    private Sweep() {}

    /**
     * @param cells every cell of the sweep
     * @param ran cells run in this invocation (the others were finished before)
     * @param report the report file
     */
    public record Outcome(List<Cell> cells, int ran, Map<String, CellResult> results, Path report) {}

    /** The embedded default: one task slot per core. */
    public static String defaultMaster() {
        return "local[" + Runtime.getRuntime().availableProcessors() + "]";
    }

    /** Local masters get Spark's retries too ({@code local[N]} alone never retries a task). */
    static String withRetries(String master) {
        Matcher m = LOCAL.matcher(master);
        if (!m.matches()) {
            return master;
        }
        return "local[" + (m.group(2) == null ? "1" : m.group(2)) + "," + MAX_FAILURES + "]";
    }

    /**
     * @param conf extra Spark settings ({@code --conf key=value}), applied last
     * @param command the command line, for the report
     */
    public static Outcome run(SweepConfig cfg, Path dir, String master, Map<String, String> conf, String command,
            PrintStream console) {
        List<Cell> cells = SweepPlan.cells(cfg);
        CellStore store = new CellStore(dir);
        store.clearAttempts();
        List<Cell> todo = cells.stream().filter(c -> store.finished(c.hash()).isEmpty()).toList();
        long start = System.nanoTime();
        if (!todo.isEmpty()) {
            SparkConf sc = new SparkConf().setAppName("sdpo4j-sweep").setMaster(withRetries(master))
                    .set("spark.task.maxFailures", String.valueOf(MAX_FAILURES))
                    .set("spark.ui.showConsoleProgress", "false")
                    // Executors on a cluster: offline DJL, one libtorch thread per cell (the cells are the parallelism).
                    .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true "
                            + "-Dai.djl.pytorch.num_interop_threads=1 -Dai.djl.pytorch.num_threads=1");
            if (LOCAL.matcher(master).matches()) {
                // Embedded: everything in this JVM, nothing to reach from another host.
                sc.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
                // The cells run here too: load libtorch (about a second) while Spark starts, not in the first cell.
                // A failure here is left to the first cell, which reports it as the cell's error.
                Thread load = new Thread(() -> {
                    try {
                        ai.djl.engine.Engine.getEngine("PyTorch");
                    } catch (RuntimeException | LinkageError e) {
                        // reported by the first cell
                    }
                }, "sdpo4j-engine-load");
                load.setDaemon(true);
                load.start();
            }
            conf.forEach(sc::set);
            try (JavaSparkContext spark = new JavaSparkContext(sc)) {
                spark.setLogLevel("WARN");
                console.println("sweep: " + cells.size() + " cells, " + todo.size() + " to run on " + spark.master()
                        + "; Spark UI: " + (spark.sc().uiWebUrl().isDefined() ? spark.sc().uiWebUrl().get() : "disabled"));
                spark.sc().addSparkListener(new SweepProgress(console, cells.size(), cells.size() - todo.size(),
                        spark.sc().isLocal() ? spark.sc().defaultParallelism() : 0));
                // One partition per cell, in plan order: each cell is one task.
                spark.parallelize(todo, todo.size()).map(new RunCell(dir)).collect();
            }
        } else {
            console.println("sweep: all " + cells.size() + " cells finished before; writing the report");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, CellResult> results = new LinkedHashMap<>();
        for (Cell c : cells) {
            results.put(c.hash(), store.finished(c.hash()).orElseThrow(() -> new IllegalStateException(
                    "cell " + c.hash() + " has no result after the sweep")));
        }
        Path report = new SweepReport(cfg, cells, results).write(dir, command, master, todo.size(), seconds);
        return new Outcome(cells, todo.size(), results, report);
    }

    /** Parses {@code key=value}. */
    static Map.Entry<String, String> confEntry(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw ConfigException.general("--conf " + kv, "expected key=value, e.g. --conf spark.executor.memory=4g");
        }
        return Map.entry(kv.substring(0, eq), kv.substring(eq + 1));
    }
}
