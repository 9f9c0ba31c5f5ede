package sdpo4j.sim;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.MetricsLog;
import sdpo4j.run.Progress;
import sdpo4j.run.RunDirectory;
import sdpo4j.cli.RunOptions;

/** {@code sdpo4j sim}: every experiment set of the simulation study, then the report. */
@Command(name = "sim", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Reproduce and extend the SDPO simulation study: runs the experiment sets of the config "
                + "(default: the paper's settings, configs/sim-paper.yaml) and writes report.md, tables (CSV), "
                + "results.json and PNG figures into the run directory."})
public final class SimCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--threads", defaultValue = "2", description = "Cohorts trained at once (one per core).")
    int threads;

    @Option(names = "--print-config", description = "Print the resolved config as YAML and exit.")
    boolean printConfig;

    @Override
    public Integer call() {
        SimConfig cfg = ConfigLoader.load(SimConfig.class, SimConfig.PAPER, run.config, run.sets);
        if (printConfig) {
            System.out.print(ConfigLoader.toYaml(cfg));
            return 0;
        }
        if (threads < 1) {
            throw new sdpo4j.config.ConfigException("--threads", threads, "an integer >= 1");
        }
        RunDirectory dir = RunDirectory.create(run.runsDir, run.nameOr("sim"), run.overwrite);
        dir.writeConfig(cfg);
        long start = System.nanoTime();
        Simulation.Results results;
        try (Progress progress = Progress.start("sim", Simulation.totalSteps(cfg, threads))) {
            results = Simulation.run(cfg, threads, progress.stepper());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        SimSummary summary = new SimSummary(cfg, results);
        writeMetrics(dir, cfg, results);
        Path report = new SimReport(summary, dir.path(), threads).write(seconds, commandLine());
        System.out.printf(Locale.ROOT, "simulated %d runs x %d steps in %.1f s; report: %s%n",
                results.traces().size(), cfg.steps(), seconds, report);
        return 0;
    }

    private String commandLine() {
        StringBuilder sb = new StringBuilder("bin/sdpo4j sim");
        if (run.config != null) {
            sb.append(" --config ").append(run.config);
        }
        run.sets.forEach(s -> sb.append(" --set ").append(s));
        return sb.toString();
    }

    /** One line per step: mean reward, entropy and credit correlation of each method over all its runs. */
    private static void writeMetrics(RunDirectory dir, SimConfig cfg, Simulation.Results results) {
        try (MetricsLog log = dir.openMetrics()) {
            for (int step = 0; step < cfg.steps(); step++) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("step", step);
                Map<SimMethod, double[]> sums = new java.util.EnumMap<>(SimMethod.class);
                for (RunSpec r : results.runs()) {
                    Simulation.RunTrace t = results.trace(r);
                    double[] acc = sums.computeIfAbsent(r.method(), k -> new double[4]);
                    acc[0] += t.reward()[step];
                    acc[1] += t.entropy()[step];
                    acc[2] += t.credit()[step];
                    acc[3]++;
                }
                sums.forEach((m, acc) -> {
                    String key = sdpo4j.config.Yaml.enumName(m);
                    line.put(key + "/reward", acc[0] / acc[3]);
                    line.put(key + "/entropy", acc[1] / acc[3]);
                    line.put(key + "/credit_corr", acc[2] / acc[3]);
                });
                log.log(line);
            }
        }
    }

}
