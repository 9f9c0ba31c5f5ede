package sdpo4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;
import sdpo4j.sim.SimConfig;
import sdpo4j.stats.Median;

/**
 * {@code sdpo4j sim-bench}: simulator throughput in run-steps per second, beside a plain NumPy
 * loop of the same update measured in the same invocation.
 */
@Command(name = "sim-bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Benchmark the batched simulator: SDPO cohorts of growing size on one thread, the full paper "
                + "experiment on --threads threads (first once, as it compiles its code paths, then --pairs times, each right beside "
                + "a run of the NumPy reference loop sim/bench/numpy_reference.py when python3 with numpy is found), with the "
                + "per-run-step speed-up of each pair and their median."})
public final class SimBenchCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Simulation config (default: the paper's).")
    Path config;

    @Option(names = "--threads", defaultValue = "2", description = "Threads for the full experiment.")
    int threads;

    @Option(names = "--sizes", split = ",", defaultValue = "10,100,400,1000", description = "Cohort sizes (runs) to time.")
    int[] sizes;

    @Option(names = "--python", defaultValue = "python3", description = "Python with numpy for the reference loop.")
    String python;

    @Option(names = "--reference", paramLabel = "FILE",
            description = "The NumPy reference script (default: sim/bench/numpy_reference.py under SDPO4J_HOME or the working directory).")
    Path reference;

    @Option(names = "--pairs", defaultValue = "3",
            description = "Full experiments timed each right beside one NumPy reference run (after the first, compiling, run).")
    int pairs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (reference != null && !Files.isRegularFile(reference)) {
            throw ConfigException.general("--reference " + reference, "no such file (the NumPy reference script, sim/bench/numpy_reference.py)");
        }
        if (pairs < 1) {
            throw ConfigException.general("--pairs " + pairs, "at least 1 (a full experiment timed beside a NumPy reference run)");
        }
        SimConfig cfg = ConfigLoader.load(SimConfig.class, SimConfig.PAPER, config, List.of());
        out.println("sdpo4j simulator benchmark (" + Runtime.getRuntime().availableProcessors() + " cores)");
        List<SimBenchmark.Point> points = SimBenchmark.cohorts(cfg, sizes);
        points.forEach(p -> out.println(p.format()));
        // The first full run compiles the other methods' code paths (JIT) while it runs, as `sim` does.
        SimBenchmark.Point first = SimBenchmark.experiment(cfg, threads, "first");
        out.println(first.format());
        // The machine's speed drifts by tens of percent over tens of seconds (a shared VM), so each later
        // full run is timed right beside its own NumPy run, and the speed-up is the median of those pairs.
        double[] numpy = new double[pairs];
        double[] paired = new double[pairs];
        for (int i = 1; i <= pairs; i++) {
            SimBenchmark.Point again = SimBenchmark.experiment(cfg, threads, "pair " + i);
            out.println(again.format());
            Double ref = numpyMsPerRunStep();
            if (ref == null) {
                out.println("numpy reference: not run (" + python + " with numpy not found)");
                return 0;
            }
            out.printf(Locale.ROOT, "numpy reference loop (one run at a time), pair %d   %.4f ms/run-step   speed-up %.1fx%n",
                    i, ref, ref / again.msPerRunStep());
            numpy[i - 1] = ref;
            paired[i - 1] = again.msPerRunStep();
        }
        summary(points, first.msPerRunStep(), paired, numpy).forEach(out::println);
        return 0;
    }

    /**
     * The speed-up lines: each cohort and the first full run against the median NumPy run, and the
     * full experiment as the median of the pairs' own ratios ({@code numpy[i] / paired[i]}, ms per run-step).
     */
    static List<String> summary(List<SimBenchmark.Point> cohorts, double firstMs, double[] paired, double[] numpy) {
        if (paired.length != numpy.length) {
            throw new IllegalArgumentException(paired.length + " full runs against " + numpy.length + " NumPy runs: they come in pairs");
        }
        double medianNumpy = Median.of(numpy);
        List<String> lines = new ArrayList<>();
        for (SimBenchmark.Point p : cohorts) {
            lines.add(String.format(Locale.ROOT, "speed-up per run-step, SDPO cohort of %4d: %.1fx (against the median NumPy run)",
                    p.runs(), medianNumpy / p.msPerRunStep()));
        }
        double[] ratios = new double[paired.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = numpy[i] / paired[i];
        }
        lines.add(String.format(Locale.ROOT, "speed-up per run-step, full experiment:    %.1fx (first run, against the median NumPy "
                + "run), %.1fx (median of %d pairs)", medianNumpy / firstMs, Median.of(ratios), ratios.length));
        return lines;
    }

    private Double numpyMsPerRunStep() throws IOException, InterruptedException {
        Path script = reference != null ? reference : locateScript();
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
