package sdpo4j.sweep;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.run.RunDirectory;
import sdpo4j.sim.CellStats;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.SimConfig;
import sdpo4j.sim.SimReport;
import sdpo4j.sim.SimSummary;
import sdpo4j.sim.Simulation;

/**
 * A simulator cell: the experiment sets of its config for its one seed, on one thread (the
 * sweep's parallelism is the cells), with the ordinary report in its run directory.
 */
final class SimCell implements CellRunner {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, Double> run(Cell cell, RunDirectory dir, BooleanSupplier stop) {
        SimConfig cfg = cell.config(SimConfig.class);
        dir.writeConfig(cfg);
        long start = System.nanoTime();
        SimSummary summary = new SimSummary(cfg, Simulation.run(cfg, 1, step -> {}));
        new SimReport(summary, dir.path(), 1).write((System.nanoTime() - start) / 1e9,
                "bin/sdpo4j sim --config " + RunDirectory.CONFIG_FILE + " --threads 1");
        return metrics(summary);
    }

    /**
     * Final-window reward, credit correlation and entropy of every simulator cell, named
     * {@code set/method/feedback[/setting...]/metric}: a sweep seed is one simulator seed, so
     * each is that seed's value.
     */
    static Map<String, Double> metrics(SimSummary summary) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String set : summary.config().sets()) {
            for (CellStats c : summary.cells(set)) {
                String name = name(c.cell());
                out.put(name + "/reward", c.reward().mean());
                out.put(name + "/credit", c.credit().mean());
                out.put(name + "/entropy", c.entropy().mean());
            }
        }
        return out;
    }

    private static String name(RunSpec r) {
        StringBuilder sb = new StringBuilder(r.set()).append('/').append(r.method().label()).append('/')
                .append(r.feedback().label());
        if (r.sigma() != 0) {
            sb.append(String.format(Locale.ROOT, "/sigma=%s", r.sigma()));
        }
        if (r.bias() != 0) {
            sb.append(String.format(Locale.ROOT, "/bias=%s", r.bias()));
        }
        if (r.learnFromJudge()) {
            sb.append("/judge");
        }
        if (r.entropyBonus() != 0) {
            sb.append(String.format(Locale.ROOT, "/entropy-bonus=%s", r.entropyBonus()));
        }
        if (r.teacherTemperature() != 1) {
            sb.append(String.format(Locale.ROOT, "/teacher-temp=%s", r.teacherTemperature()));
        }
        return sb.toString();
    }
}
