package sdpo4j.compare;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import sdpo4j.report.Charts;
import sdpo4j.run.AtomicFiles;

/**
 * {@code report.md} and the figures of a comparison: a table per method (mean +- std over
 * seeds) and curves of reward, held-out accuracy, entropy and teacher-student KL against steps
 * and against wall time. Every number is read from the runs' {@code metrics.jsonl}.
 */
final class CompareReport {
    private static final Color[] COLORS = {new Color(255, 127, 14), new Color(31, 119, 180), new Color(148, 103, 189),
            new Color(140, 86, 75), new Color(44, 160, 44), new Color(214, 39, 40)};
    private static final int TAIL = 5;

    private CompareReport() {}

    static Path write(CompareConfig cfg, List<RunLog> logs, Path dir) {
        Map<String, List<RunLog>> byMethod = new LinkedHashMap<>();
        logs.forEach(l -> byMethod.computeIfAbsent(l.method(), x -> new ArrayList<>()).add(l));
        String acc = cfg.accuracyMetric();
        StringBuilder md = new StringBuilder();
        md.append("# Method comparison\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, task `%s` (%s), %d steps x %d prompts x %d responses, seeds %s. "
                        + "Held-out metric `%s` on `%s` (first %d tasks). Only `objective.name` differs between runs; "
                        + "everything else is in each run's `config.yaml`.%n%n",
                cfg.train().model(), cfg.train().env().name(), cfg.train().dataset(), cfg.train().steps(), cfg.train().prompts(),
                cfg.train().groupSize(), cfg.seeds(), acc, cfg.train().eval().dataset(), cfg.train().eval().maxTasks()));
        md.append("| method | final ").append(acc).append(" | best ").append(acc).append(" | reward (last ").append(TAIL)
                .append(" steps) | entropy | response length | steps to ").append(fmt(cfg.targetAccuracy()))
                .append(" | s/step generation | s/step teacher | s/step training |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
            List<RunLog> runs = e.getValue();
            md.append("| ").append(e.getKey())
                    .append(" | ").append(stat(runs, r -> r.last(acc)))
                    .append(" | ").append(stat(runs, r -> r.max(acc)))
                    .append(" | ").append(stat(runs, r -> r.tailMean("reward_mean", TAIL)))
                    .append(" | ").append(stat(runs, r -> r.tailMean("entropy", TAIL)))
                    .append(" | ").append(stat(runs, r -> r.tailMean("response_length_mean", TAIL)))
                    .append(" | ").append(stepsTo(runs, acc, cfg.targetAccuracy()))
                    .append(" | ").append(stat(runs, r -> r.tailMean("gen_seconds", Integer.MAX_VALUE)))
                    .append(" | ").append(stat(runs, r -> r.tailMean("teacher_seconds", Integer.MAX_VALUE)))
                    .append(" | ").append(stat(runs, r -> r.tailMean("train_seconds", Integer.MAX_VALUE)))
                    .append(" |\n");
        }
        md.append("\nValues are mean +- std over seeds (std omitted for one seed). \"Steps to\" is the first evaluation "
                + "step at which the held-out metric reached the target (n/a: never), per seed. Step time is the mean "
                + "over all steps; evaluation time is not included.\n\n");
        md.append("![curves against steps](curves_by_step.png)\n\n![curves against wall time](curves_by_time.png)\n");
        figures(byMethod, acc, "step", "step", dir.resolve("curves_by_step.png"));
        figures(byMethod, acc, "wall_time", "wall time (s)", dir.resolve("curves_by_time.png"));
        Path report = dir.resolve("report.md");
        AtomicFiles.writeString(report, md.toString());
        return report;
    }

    private static void figures(Map<String, List<RunLog>> byMethod, String acc, String x, String xLabel, Path file) {
        List<XYChart> charts = new ArrayList<>();
        String[][] panels = {{"reward_mean", "Reward (training rollouts)"}, {acc, "Held-out " + acc},
                {"entropy", "Policy entropy (nats)"}, {"kl", "Teacher-student KL"}};
        for (String[] p : panels) {
            XYChart c = Charts.xy(p[1], xLabel, p[0], Charts.WIDTH);
            int i = 0;
            for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
                Color color = COLORS[i++ % COLORS.length];
                int s = 0;
                for (RunLog r : e.getValue()) {
                    double[][] xy = r.series(p[0], x);
                    if (xy[0].length > 0) {
                        Charts.line(c, e.getKey() + (e.getValue().size() > 1 ? " seed " + r.seed() : ""), xy[0], xy[1],
                                s++ == 0 ? color : color.brighter());
                    }
                }
            }
            if (!c.getSeriesMap().isEmpty()) {
                charts.add(c);
            }
        }
        Charts.savePng(file, charts, 2, 2);
    }

    private static String stat(List<RunLog> runs, ToDoubleFunction<RunLog> f) {
        double[] v = runs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return "n/a";
        }
        double mean = java.util.Arrays.stream(v).average().orElseThrow();
        if (v.length == 1) {
            return fmt(mean);
        }
        double var = java.util.Arrays.stream(v).map(d -> (d - mean) * (d - mean)).sum() / (v.length - 1);
        return fmt(mean) + " +- " + fmt(Math.sqrt(var));
    }

    private static String stepsTo(List<RunLog> runs, String key, double target) {
        List<String> out = new ArrayList<>();
        for (RunLog r : runs) {
            long s = r.stepsTo(key, target);
            out.add(s < 0 ? "n/a" : Long.toString(s));
        }
        return String.join(", ", out);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.3f", v);
    }
}
