package sdpo4j.compare;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import sdpo4j.report.Charts;
import sdpo4j.run.AtomicFiles;
import sdpo4j.stats.Bootstrap;
import sdpo4j.stats.Interval;
import sdpo4j.stats.MeanStd;
import sdpo4j.stats.Verdict;

/**
 * {@code report.md} and the figures of a comparison or an ablation set: per arm (method or
 * ablation), final and best held-out accuracy with 95% bootstrap intervals over seeds and
 * held-out tasks; every arm's paired difference from its reference (compare: the baseline) with
 * its interval and verdict, and for an ablation set a table of the ablations first; the steps, generations, generated
 * tokens and wall time each run needed to reach the target accuracy; curves of reward, held-out
 * accuracy, entropy and teacher-student KL (means over seeds) against steps, generated tokens and
 * wall time. Every number is read from the runs' {@code metrics.jsonl}.
 */
final class CompareReport {
    private static final Color[] COLORS = {new Color(255, 127, 14), new Color(31, 119, 180), new Color(148, 103, 189),
            new Color(140, 86, 75), new Color(44, 160, 44), new Color(214, 39, 40)};
    private static final int TAIL = 5;
    private static final double LEVEL = 0.95;

    private CompareReport() {}

    static Path write(CompareConfig cfg, List<RunLog> logs, Path dir) {
        return write(cfg, Comparison.methodArms(cfg), logs, dir);
    }

    /**
     * The report of {@code arms}, trained on every seed of {@code cfg} (whose statistics settings
     * and shared run it uses); an arm with an ablation gets a row in the ablation table.
     */
    static Path write(CompareConfig cfg, List<Arm> arms, List<RunLog> logs, Path dir) {
        Map<String, List<RunLog>> byMethod = new LinkedHashMap<>();
        arms.forEach(a -> byMethod.put(a.label(), new ArrayList<>()));
        logs.forEach(l -> byMethod.get(l.method()).add(l));
        boolean ablations = arms.stream().anyMatch(a -> a.ablation() != null);
        String acc = cfg.accuracyMetric();
        Bootstrap boot = new Bootstrap(cfg.bootstrapReplicates(), cfg.bootstrapSeed(), LEVEL);
        int seeds = cfg.seeds().size();
        double[] firstTasks = logs.get(0).perTask(acc, false);
        int tasks = firstTasks == null ? 0 : firstTasks.length;
        StringBuilder md = new StringBuilder();
        md.append(ablations ? "# Ablations\n\n" : "# Method comparison\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, task `%s` (%s), %d steps x %d prompts x %d responses, seeds %s "
                        + "(parallel-runs %d). Held-out metric `%s` on `%s` (%d tasks). %s; everything else is in each "
                        + "run's `config.yaml`.%n%n",
                cfg.train().model(), cfg.train().env().name(), cfg.train().dataset(), cfg.train().steps(), cfg.train().prompts(),
                cfg.train().groupSize(), cfg.seeds(), cfg.parallelRuns(), acc, cfg.train().eval().dataset(), tasks,
                ablations ? "Each ablation changes the keys in its row from this shared run, the methods only `objective.name`"
                        : "Only `objective.name` differs between runs"));
        md.append(String.format(Locale.ROOT, "Intervals are %.0f%% percentile bootstrap intervals (%d resamples, seed %d) "
                        + "drawing seeds and then held-out tasks within each seed with replacement.", LEVEL * 100,
                cfg.bootstrapReplicates(), cfg.bootstrapSeed()));
        if (seeds == 1) {
            md.append(" **One seed**: the intervals cover which held-out tasks were asked, not training randomness, "
                    + "so they cannot rank the methods; use several seeds (`seeds:`) for that.");
        }
        md.append("\n");
        // every pair's differences once: the ablation table and the pairs section read the same intervals
        Map<String, Interval[]> diffs = new LinkedHashMap<>();
        for (Arm a : arms) {
            if (a.reference() != null) {
                List<RunLog> ref = byMethod.get(a.reference());
                diffs.put(a.label(), new Interval[] {
                        boot.pairedDifference(perTask(byMethod.get(a.label()), acc, false), perTask(ref, acc, false)),
                        boot.pairedDifference(perTask(byMethod.get(a.label()), acc, true), perTask(ref, acc, true))});
            }
        }
        if (ablations) {
            md.append("\n## Ablations against their references (final ").append(acc).append(")\n\n");
            md.append("| ablation | setting | arm | changes | final | reference | difference | verdict |\n"
                    + "|---|---|---|---|---|---|---|---|\n");
            for (Arm a : arms) {
                if (a.ablation() != null) {
                    Interval[] d = diffs.get(a.label());
                    md.append("| ").append(a.ablation()).append(" | ").append(a.setting()).append(" | ").append(a.label())
                            .append(" | ").append(a.changes() == null || a.changes().isEmpty() ? "-" : "`" + a.changes() + "`")
                            .append(" | ").append(boot.mean(perTask(byMethod.get(a.label()), acc, false)).format())
                            .append(" | ").append(a.reference() == null ? "-" : a.reference())
                            .append(" | ").append(d == null ? "-" : d[0].formatSigned())
                            .append(" | ").append(d == null ? "-" : verdict(d[0], seeds))
                            .append(" |\n");
                }
            }
            md.append("\nDifferences are paired by seed and held-out task; best accuracies and every run's curves follow.\n");
        }
        md.append("\n## Held-out accuracy\n\n");
        md.append("| method | final ").append(acc).append(" | best ").append(acc).append(" | final, per seed mean ± std"
                + " | reward (last ").append(TAIL).append(" steps) | entropy | response length |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
            List<RunLog> runs = e.getValue();
            md.append("| ").append(e.getKey())
                    .append(" | ").append(boot.mean(perTask(runs, acc, false)).format())
                    .append(" | ").append(boot.mean(perTask(runs, acc, true)).format())
                    .append(" | ").append(meanStd(runs, r -> r.last(acc)))
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("reward_mean", TAIL)))
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("entropy", TAIL)))
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("response_length_mean", TAIL)))
                    .append(" |\n");
        }
        md.append("\n\"Best\" is each run's highest evaluation (chosen on the same held-out tasks, so optimistic). "
                + "The last three columns are mean ± std over seeds.\n");
        if (!diffs.isEmpty()) {
            Set<String> refs = new LinkedHashSet<>();
            arms.forEach(a -> {
                if (a.reference() != null) {
                    refs.add(a.reference());
                }
            });
            boolean one = refs.size() == 1;
            md.append(one ? "\n## Against " + refs.iterator().next() : "\n## Against each arm's reference")
                    .append(" (paired by seed and held-out task)\n\n");
            md.append(one ? "| method | final difference | best difference |\n|---|---|---|\n"
                    : "| arm | reference | final difference | best difference |\n|---|---|---|---|\n");
            List<String> verdicts = new ArrayList<>();
            for (Arm a : arms) {
                Interval[] d = diffs.get(a.label());
                if (d == null) {
                    continue;
                }
                md.append("| ").append(a.label()).append(one ? "" : " | " + a.reference()).append(" | ")
                        .append(d[0].formatSigned()).append(" | ").append(d[1].formatSigned()).append(" |\n");
                verdicts.add(verdictLine(a.label(), a.reference(), acc, d[0], d[1], seeds, tasks));
            }
            md.append("\n");
            verdicts.forEach(v -> md.append("- ").append(v).append('\n'));
            md.append("\nA verdict is \"better\" or \"worse\" when the whole interval of the paired difference lies above "
                    + "or below zero, otherwise \"not distinguishable at this budget\" (more seeds, tasks or steps may "
                    + "separate them).\n");
        }
        md.append("\n## Cost to reach ").append(acc).append(" >= ").append(Interval.format(cfg.targetAccuracy())).append("\n\n");
        md.append("| method | runs reaching it | steps | generations | generated tokens | wall time (s) |\n|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
            List<Map<String, Object>> reached = new ArrayList<>();
            e.getValue().forEach(r -> {
                Map<String, Object> l = r.firstReaching(acc, cfg.targetAccuracy());
                if (l != null) {
                    reached.add(l);
                }
            });
            md.append("| ").append(e.getKey()).append(" | ").append(reached.size()).append("/").append(e.getValue().size());
            for (String key : List.of("step", RunLog.GENERATIONS, RunLog.GENERATED_TOKENS, "wall_time")) {
                md.append(" | ").append(reached.isEmpty() ? "n/a" : boot.mean(new double[][] {
                        reached.stream().mapToDouble(l -> ((Number) l.get(key)).doubleValue()).toArray()}).format());
            }
            md.append(" |\n");
        }
        md.append("\nMean over the runs that reached the target, with a bootstrap interval over those runs; generations "
                + "and tokens count training rollouts only. Wall time includes evaluation")
                .append(cfg.parallelRuns() > 1 ? " and sharing the cores with the other runs trained at the same time" : "")
                .append(".\n\n## Time per step\n\n| method | generation (s) | teacher (s) | training (s) | whole run (s) |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
            List<RunLog> runs = e.getValue();
            md.append("| ").append(e.getKey())
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("gen_seconds", Integer.MAX_VALUE)))
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("teacher_seconds", Integer.MAX_VALUE)))
                    .append(" | ").append(meanStd(runs, r -> r.tailMean("train_seconds", Integer.MAX_VALUE)))
                    .append(" | ").append(meanStd(runs, r -> r.last("wall_time")))
                    .append(" |\n");
        }
        md.append("\nMean ± std over seeds of each run's mean step time (evaluation not included) and of its total.\n\n");
        md.append("Curves are means over seeds (x too: tokens and seconds at the same step).\n\n");
        md.append("![curves against steps](curves_by_step.png)\n\n![curves against generated tokens](curves_by_tokens.png)\n\n"
                + "![curves against wall time](curves_by_time.png)\n");
        figures(byMethod, acc, "step", "step", dir.resolve("curves_by_step.png"));
        figures(byMethod, acc, RunLog.GENERATED_TOKENS, "generated tokens (training rollouts)", dir.resolve("curves_by_tokens.png"));
        figures(byMethod, acc, "wall_time", "wall time (s)", dir.resolve("curves_by_time.png"));
        Path report = dir.resolve("report.md");
        AtomicFiles.writeString(report, md.toString());
        return report;
    }

    /** One pair's verdict, on the final accuracy, with the best accuracy's beside it. */
    static String verdictLine(String method, String base, String acc, Interval fin, Interval best, int seeds, int tasks) {
        return String.format(Locale.ROOT, "**%s vs %s: %s** (final %s difference %s; best: %s, %s; %d seed%s x %d tasks)",
                method, base, verdict(fin, seeds), acc, fin.formatSigned(), best.formatSigned(), Verdict.of(best).label(),
                seeds, seeds == 1 ? "" : "s", tasks);
    }

    /**
     * The verdict on a paired difference. One seed samples the held-out tasks but not training
     * randomness: an interval that excludes zero then says nothing about the methods, only about
     * this one run of each.
     */
    private static String verdict(Interval difference, int seeds) {
        return seeds < 2 ? "not ranked: one seed (over held-out tasks alone: " + Verdict.of(difference).label() + ")"
                : Verdict.of(difference).label();
    }

    private static double[][] perTask(List<RunLog> runs, String acc, boolean best) {
        double[][] x = new double[runs.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = runs.get(i).perTask(acc, best);
            if (x[i] == null) {
                throw new sdpo4j.run.RunException("run " + runs.get(i).method() + " seed " + runs.get(i).seed()
                        + " never logged " + acc + " (is eval enabled?)");
            }
        }
        return x;
    }

    private static void figures(Map<String, List<RunLog>> byMethod, String acc, String x, String xLabel, Path file) {
        List<XYChart> charts = new ArrayList<>();
        String[][] panels = {{"reward_mean", "Reward (training rollouts)"}, {acc, "Held-out " + acc},
                {"entropy", "Policy entropy (nats)"}, {"kl", "Teacher-student KL"}};
        for (String[] p : panels) {
            XYChart c = Charts.xy(p[1], xLabel, p[0], Charts.WIDTH);
            int i = 0;
            for (Map.Entry<String, List<RunLog>> e : byMethod.entrySet()) {
                double[][] xy = meanCurve(e.getValue(), p[0], x);
                Color color = COLORS[i++ % COLORS.length];
                if (xy[0].length > 0) {
                    Charts.line(c, e.getKey() + (e.getValue().size() > 1 ? " (mean of " + e.getValue().size() + " seeds)" : ""),
                            xy[0], xy[1], color);
                }
            }
            if (!c.getSeriesMap().isEmpty()) {
                charts.add(c);
            }
        }
        Charts.savePng(file, charts, 2, 2);
    }

    /** Per step that every run logged {@code key} at: the mean over runs of {@code x} and of {@code key}. */
    static double[][] meanCurve(List<RunLog> runs, String key, String x) {
        Map<Long, double[]> sums = new TreeMap<>();
        for (RunLog r : runs) {
            for (Map<String, Object> l : r.lines()) {
                if (l.get(key) instanceof Number v && l.get(x) instanceof Number xv && l.get("step") instanceof Number s) {
                    double[] acc = sums.computeIfAbsent(s.longValue(), k -> new double[3]);
                    acc[0] += xv.doubleValue();
                    acc[1] += v.doubleValue();
                    acc[2]++;
                }
            }
        }
        sums.values().removeIf(a -> a[2] < runs.size());
        double[][] out = new double[2][sums.size()];
        int i = 0;
        for (double[] a : sums.values()) {
            out[0][i] = a[0] / a[2];
            out[1][i++] = a[1] / a[2];
        }
        return out;
    }

    private static String meanStd(List<RunLog> runs, ToDoubleFunction<RunLog> f) {
        double[] v = runs.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return "n/a";
        }
        MeanStd s = MeanStd.of(v);
        return v.length == 1 ? Interval.format(s.mean()) : Interval.format(s.mean()) + " ± " + Interval.format(s.std());
    }
}
