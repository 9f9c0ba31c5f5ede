package sdpo4j.discover;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import sdpo4j.report.Charts;
import sdpo4j.run.AtomicFiles;
import sdpo4j.stats.Bootstrap;
import sdpo4j.stats.Interval;
import sdpo4j.stats.Verdict;

/**
 * {@code report.md} and {@code discovery.png} of a discover run: per method, the discovery
 * probability (the share of (seed, question) searches that found a correct answer) against
 * attempts with 95% bootstrap intervals over seeds and then questions; the attempts, generated
 * tokens and wall time each needs to reach 50% discovery, and best-of-k's and multi-turn's over
 * SDPO's (paired: the same seeds and questions in every draw); the paired difference at the whole
 * budget; and the verdict on the paper's "3x fewer attempts", at equal attempts and at equal compute.
 */
final class DiscoveryReport {
    private static final double LEVEL = 0.95;
    private static final double TARGET = 0.5;
    private static final double CLAIM = 3.0;
    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44)};

    private DiscoveryReport() {}

    /** The three costs a search can be measured in, to its discovery (or to its end when none). */
    enum Cost {
        ATTEMPTS("attempts", t -> t.discoveredAt()),
        TOKENS("generated tokens", t -> t.tokensAt()),
        SECONDS("wall time (s)", t -> t.secondsAt());

        final String label;
        final ToDoubleFunction<Discovery.Trajectory> of;

        Cost(String label, ToDoubleFunction<Discovery.Trajectory> of) {
            this.label = label;
            this.of = of;
        }
    }

    static Path write(DiscoverConfig cfg, List<Discoveries.Question> questions, List<Discovery.Trajectory> all, Path dir) {
        int seeds = cfg.seeds().size();
        int n = questions.size();
        List<DiscoveryMethod> methods = cfg.methods();
        Discovery.Trajectory[][][] cells = new Discovery.Trajectory[methods.size()][seeds][n];
        for (Discovery.Trajectory t : all) {
            int q = indexOf(questions, t.question());
            cells[methods.indexOf(t.method())][cfg.seeds().indexOf(t.seed())][q] = t;
        }
        Bootstrap boot = new Bootstrap(cfg.bootstrapReplicates(), cfg.bootstrapSeed(), LEVEL);
        int[] shape = new int[seeds];
        Arrays.fill(shape, n);
        StringBuilder md = new StringBuilder("# Test-time discovery\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, environment `%s`, %d questions from `%s`%s; budget %d attempts per "
                        + "question in rounds of %d; methods %s; seeds %s; temperature %s, max-new-tokens %d; SDPO: lr %s, "
                        + "%s, ema-rate %s. Settings in `config.yaml`, every attempt in `%s`.%n%n",
                cfg.model(), cfg.env().name(), n, cfg.questionFile(),
                cfg.hard() > 0 ? " (the " + cfg.hard() + " with the lowest pass rate estimated from " + cfg.hardSamples()
                        + " samples each; `" + Discoveries.PASS_RATES + "`)" : "",
                cfg.budget(), cfg.roundSize(), methods.stream().map(DiscoveryMethod::label).toList(), cfg.seeds(),
                Interval.format(cfg.temperature()), cfg.maxNewTokens(), cfg.lr(),
                cfg.lora().enabled() ? "LoRA r " + cfg.lora().rank() + " fresh per question" : "a throw-away copy of every weight per question",
                cfg.emaRate(), Discoveries.ATTEMPTS));
        md.append(String.format(Locale.ROOT, "Intervals: %.0f%% percentile bootstrap (%d resamples, seed %d) drawing seeds, "
                + "then questions within each seed, with replacement; ratios and differences are paired (the same draw for "
                + "both methods). ∞: not reached within the budget.%n%n", LEVEL * 100, cfg.bootstrapReplicates(),
                cfg.bootstrapSeed()));
        if (cfg.hard() > 0) {
            md.append("Estimated pass rates of the chosen questions: ");
            md.append(String.join(", ", questions.stream().map(q -> q.task().id() + " " + Interval.format(q.passRate())).toList()));
            md.append(".\n\n");
        }
        md.append("## Discovery probability against attempts\n\n| attempts |");
        methods.forEach(m -> md.append(' ').append(m.label()).append(" |"));
        md.append('\n').append("|---|").append("---|".repeat(methods.size())).append('\n');
        double[][][] curve = new double[methods.size()][3][cfg.budget()];
        for (int k = 1; k <= cfg.budget(); k++) {
            boolean row = k % cfg.roundSize() == 0 || k == cfg.budget() || k == 1;
            if (row) {
                md.append("| ").append(k).append(" |");
            }
            for (int mi = 0; mi < methods.size(); mi++) {
                Interval p = boot.mean(found(cells[mi], k));
                curve[mi][0][k - 1] = p.estimate();
                curve[mi][1][k - 1] = p.lo();
                curve[mi][2][k - 1] = p.hi();
                if (row) {
                    md.append(' ').append(p.format()).append(" |");
                }
            }
            if (row) {
                md.append('\n');
            }
        }
        md.append("\n## Cost to reach ").append((int) (TARGET * 100)).append("% discovery\n\n| method |");
        for (Cost c : Cost.values()) {
            md.append(' ').append(c.label).append(" |");
        }
        md.append("\n|---|---|---|---|\n");
        double[][][][] costs = new double[methods.size()][Cost.values().length][][];
        for (int mi = 0; mi < methods.size(); mi++) {
            md.append("| ").append(methods.get(mi).label()).append(" |");
            for (Cost c : Cost.values()) {
                double[][] x = costs(cells[mi], c);
                costs[mi][c.ordinal()] = x;
                md.append(' ').append(format(boot.statistic(shape, d -> toReach(x, d)))).append(" |");
            }
            md.append('\n');
        }
        md.append("\nThe cost by which half of the (seed, question) searches had found a correct answer. Generated tokens "
                + "count every method's sampled tokens; wall time also counts SDPO's steps (teacher scoring, backward, "
                + "update), each search timed alone on this machine.\n");
        int sdpo = methods.indexOf(DiscoveryMethod.SDPO);
        List<String> verdicts = new ArrayList<>();
        if (sdpo >= 0 && methods.size() > 1) {
            md.append("\n## Against SDPO\n\n| baseline | its cost / SDPO's: attempts | generated tokens | wall time "
                    + "| discovery at the budget, SDPO minus it |\n|---|---|---|---|---|\n");
            for (int mi = 0; mi < methods.size(); mi++) {
                if (mi == sdpo) {
                    continue;
                }
                String name = methods.get(mi).label();
                md.append("| ").append(name).append(" |");
                Interval[] ratios = new Interval[Cost.values().length];
                for (Cost c : Cost.values()) {
                    double[][] theirs = costs[mi][c.ordinal()];
                    double[][] ours = costs[sdpo][c.ordinal()];
                    ratios[c.ordinal()] = boot.statistic(shape, d -> ratio(toReach(theirs, d), toReach(ours, d)));
                    md.append(' ').append(format(ratios[c.ordinal()])).append(" |");
                }
                Interval diff = boot.pairedDifference(found(cells[sdpo], cfg.budget()), found(cells[mi], cfg.budget()));
                md.append(' ').append(diff.formatSigned()).append(" (").append(Verdict.of(diff).label()).append(") |\n");
                verdicts.add(String.format(Locale.ROOT, "**SDPO vs %s: the paper's %.0fx fewer attempts %s at equal attempts "
                                + "(ratio %s); at equal compute it %s by wall time (ratio %s) and %s by generated tokens (ratio %s).**",
                        name, CLAIM, claim(ratios[0]), format(ratios[0]), claim(ratios[2]), format(ratios[2]), claim(ratios[1]),
                        format(ratios[1])));
            }
            md.append("\nA ratio above 1: the baseline needs more than SDPO to reach ").append((int) (TARGET * 100))
                    .append("% discovery. The paper's claim holds when the whole interval of the ratio lies at or above ")
                    .append(Interval.format(CLAIM)).append(", fails when it lies below, and is not settled otherwise.\n\n");
            verdicts.forEach(v -> md.append("- ").append(v).append('\n'));
        }
        md.append("\n![discovery probability against attempts, generated tokens and wall time](discovery.png)\n");
        figure(cfg, methods, curve, costs, dir.resolve("discovery.png"));
        Path report = dir.resolve("report.md");
        AtomicFiles.writeString(report, md.toString());
        return report;
    }

    private static int indexOf(List<Discoveries.Question> questions, String id) {
        for (int i = 0; i < questions.size(); i++) {
            if (questions.get(i).task().id().equals(id)) {
                return i;
            }
        }
        throw new IllegalStateException("no question " + id);
    }

    /** 1 where the search found a correct answer within {@code k} attempts, per seed and question. */
    static double[][] found(Discovery.Trajectory[][] cells, int k) {
        double[][] x = new double[cells.length][];
        for (int s = 0; s < cells.length; s++) {
            x[s] = new double[cells[s].length];
            for (int q = 0; q < cells[s].length; q++) {
                int at = cells[s][q].discoveredAt();
                x[s][q] = at > 0 && at <= k ? 1 : 0;
            }
        }
        return x;
    }

    /** Each search's cost to its discovery, infinite when it found none. */
    static double[][] costs(Discovery.Trajectory[][] cells, Cost c) {
        double[][] x = new double[cells.length][];
        for (int s = 0; s < cells.length; s++) {
            x[s] = new double[cells[s].length];
            for (int q = 0; q < cells[s].length; q++) {
                x[s][q] = cells[s][q].discovered() ? c.of.applyAsDouble(cells[s][q]) : Double.POSITIVE_INFINITY;
            }
        }
        return x;
    }

    /** The least cost by which at least half of the drawn searches had discovered (infinite when half never did). */
    static double toReach(double[][] costs, Bootstrap.Draw d) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < d.seeds().length; i++) {
            for (int t : d.tasks()[i]) {
                v.add(costs[d.seeds()[i]][t]);
            }
        }
        v.sort(null);
        return v.get((int) Math.ceil(TARGET * v.size()) - 1);
    }

    /** theirs / ours, with a level neither reached undefined (NaN) and one only SDPO reached infinite. */
    static double ratio(double theirs, double ours) {
        if (Double.isInfinite(ours)) {
            return Double.isInfinite(theirs) ? Double.NaN : 0;
        }
        return theirs / ours;
    }

    static String claim(Interval ratio) {
        if (Double.isNaN(ratio.estimate())) {
            return "cannot be tested (neither reached " + (int) (TARGET * 100) + "% discovery)";
        }
        return ratio.lo() >= CLAIM ? "holds" : ratio.hi() < CLAIM ? "does not hold" : "is not settled";
    }

    static String format(Interval i) {
        return value(i.estimate()) + " [" + value(i.lo()) + ", " + value(i.hi()) + "]";
    }

    private static String value(double v) {
        return Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? (v > 0 ? "∞" : "-∞") : Interval.format(v);
    }

    private static void figure(DiscoverConfig cfg, List<DiscoveryMethod> methods, double[][][] curve, double[][][][] costs,
            Path file) {
        List<XYChart> charts = new ArrayList<>();
        XYChart byAttempts = Charts.xy("Discovery probability (95% CI dashed)", "attempts", "discovered", Charts.WIDTH);
        double[] ks = new double[cfg.budget()];
        for (int k = 0; k < ks.length; k++) {
            ks[k] = k + 1;
        }
        for (int mi = 0; mi < methods.size(); mi++) {
            Color c = COLORS[mi % COLORS.length];
            Charts.line(byAttempts, methods.get(mi).label(), ks, curve[mi][0], c);
            for (int b = 1; b <= 2; b++) {
                Charts.line(byAttempts, methods.get(mi).label() + (b == 1 ? " lo" : " hi"), ks, curve[mi][b], c)
                        .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH).setShowInLegend(false);
            }
        }
        charts.add(byAttempts);
        for (Cost cost : List.of(Cost.TOKENS, Cost.SECONDS)) {
            XYChart chart = Charts.xy("Discovery probability", cost.label, "discovered", Charts.WIDTH);
            chart.getStyler().setXAxisDecimalPattern("#,##0.#");
            double max = 0;
            for (double[][][] m : costs) {
                for (double[] row : m[cost.ordinal()]) {
                    for (double v : row) {
                        max = Double.isFinite(v) ? Math.max(max, v) : max;
                    }
                }
            }
            int points = 80;
            double[] xs = new double[points];
            for (int i = 0; i < points; i++) {
                xs[i] = max * i / (points - 1);
            }
            for (int mi = 0; mi < methods.size(); mi++) {
                double[] ys = new double[points];
                double[][] c = costs[mi][cost.ordinal()];
                long total = Arrays.stream(c).mapToLong(r -> r.length).sum();
                for (int i = 0; i < points; i++) {
                    double x = xs[i];
                    ys[i] = Arrays.stream(c).flatMapToDouble(Arrays::stream).filter(v -> v <= x).count() / (double) total;
                }
                Charts.line(chart, methods.get(mi).label(), xs, ys, COLORS[mi % COLORS.length]);
            }
            charts.add(chart);
        }
        Charts.savePng(file, charts, 1, 3);
    }
}
