package sdpo4j.bench;

import sdpo4j.sim.SimConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigLoader;

/**
 * {@code sdpo4j sim-bench}: simulator throughput in run-steps per second, beside a plain NumPy
 * loop of the same update measured in the same invocation.
 */
@Command(name = "sim-bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Benchmark the batched simulator: SDPO cohorts of growing size on one thread, the full paper "
                + "experiment on --threads threads (twice: the first run includes compiling its code paths), and (when python3 with numpy is found) the NumPy reference loop "
                + "sim/bench/numpy_reference.py, with the per-run-step speed-up."})
public final class SimBenchCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Simulation config (default: the paper's).")
    Path config;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for the full experiment.")
    int threads;

    @Option(names = "--sizes", split = ",", defaultValue = "10,100,400,1000", description = "Cohort sizes (runs) to time.")
    int[] sizes;

    @Option(names = "--python", defaultValue = "python3", description = "Python with numpy for the reference loop.")
    String python;

    @Override
    public Integer call() throws Exception {
        SimConfig cfg = ConfigLoader.load(SimConfig.class, SimConfig.PAPER, config, List.of());
        System.out.println("sdpo4j simulator benchmark (" + Runtime.getRuntime().availableProcessors() + " cores)");
        List<SimBenchmark.Point> points = SimBenchmark.cohorts(cfg, sizes);
        points.forEach(p -> System.out.println(p.format()));
        SimBenchmark.Point all = SimBenchmark.experiment(cfg, threads);
        System.out.println(all.format());
        // The first full run compiles the other methods' code paths (JIT) while it runs, as `sim` does;
        // the second shows the throughput once they are compiled.
        SimBenchmark.Point again = SimBenchmark.experiment(cfg, threads, "again");
        System.out.println(again.format());
        Double numpy = numpyMsPerRunStep();
        if (numpy == null) {
            System.out.println("numpy reference: not run (" + python + " with numpy not found)");
        } else {
            System.out.printf(Locale.ROOT, "numpy reference loop (one run at a time)   %.4f ms/run-step%n", numpy);
            for (SimBenchmark.Point p : points) {
                System.out.printf(Locale.ROOT, "speed-up per run-step, SDPO cohort of %4d: %.1fx%n", p.runs(), numpy / p.msPerRunStep());
            }
            System.out.printf(Locale.ROOT, "speed-up per run-step, full experiment:    %.1fx (first run), %.1fx (again)%n",
                    numpy / all.msPerRunStep(), numpy / again.msPerRunStep());
        }
        return 0;
    }

    private Double numpyMsPerRunStep() throws IOException, InterruptedException {
        Path script = locateScript();
        if (script == null) {
            return null;
        }
        Process p;
        try {
            p = new ProcessBuilder(python, script.toString(), "5").redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("numpy_ms_per_run_step=")) {
                return Double.parseDouble(line.substring(line.indexOf('=') + 1).trim());
            }
        }
        return null;
    }

    private static Path locateScript() {
        String home = System.getenv("SDPO4J_HOME");
        for (Path root : new Path[] {home == null ? null : Path.of(home), Path.of(".")}) {
            if (root != null) {
                Path p = root.resolve("sim/bench/numpy_reference.py");
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}
