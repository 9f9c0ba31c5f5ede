package sdpo4j.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's figures, as PNG files (XChart, headless). */
public final class SimPlots {
    static final int WIDTH = 520;
    static final int HEIGHT = 420;
    private static final int SMOOTHING_WINDOW = 15;

    private final SimSummary summary;
    private final Path dir;

    SimPlots(SimSummary summary, Path dir) {
        this.summary = summary;
        this.dir = dir;
        System.setProperty("java.awt.headless", "true");
    }

    public static Color color(SimMethod m) {
        return switch (m) {
            case SDPO -> new Color(31, 119, 180);
            case REINFORCE -> new Color(214, 39, 40);
            case ADVANTAGE_WEIGHTED -> new Color(44, 160, 44);
            case GRPO -> new Color(255, 127, 14);
            case CREDIT -> new Color(148, 103, 189);
            case HYBRID -> new Color(140, 86, 75);
        };
    }

    /**
     * Writes every figure whose set ran, {@code threads} at a time (figures are independent, and
     * encoding PNGs is most of the report's time); returns the file names written.
     */
    List<String> writeAll(int threads) {
        List<java.util.concurrent.Callable<String>> jobs = new ArrayList<>();
        if (summary.has("method-feedback")) {
            jobs.add(this::rewardCurves);
            jobs.add(this::creditBars);
            jobs.add(this::entropy);
        }
        if (summary.has("noise")) {
            jobs.add(this::noise);
        }
        if (summary.has("hybrid")) {
            jobs.add(this::hybrid);
        }
        if (summary.has("multi-seed")) {
            jobs.add(this::multiSeed);
        }
        if (summary.has("bias")) {
            jobs.add(this::bias);
        }
        if (summary.has("diversity")) {
            jobs.add(this::diversity);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<String> files = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : pool.invokeAll(jobs)) {
                files.add(f.get());
            }
            return files;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while drawing figures", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private String rewardCurves() {
        List<XYChart> charts = new ArrayList<>();
        for (FeedbackType f : FeedbackType.values()) {
            XYChart c = xy("Reward, " + f.label() + " feedback", "step", "mean reward (smoothed)");
            for (SimMethod m : SimMethod.values()) {
                summary.find("method-feedback", m, f).ifPresent(s -> line(c, m.label(), smooth(s.rewardCurve()), color(m)));
            }
            charts.add(c);
        }
        return save(charts, 2, 3, "fig1_reward_curves.png");
    }

    private String creditBars() {
        CategoryChart c = bars("Credit-assignment correlation (update direction vs A*)", "feedback", "Pearson r");
        List<String> labels = PAPER_FEEDBACK_LABELS();
        for (SimMethod m : List.of(SimMethod.SDPO, SimMethod.REINFORCE, SimMethod.ADVANTAGE_WEIGHTED, SimMethod.GRPO, SimMethod.CREDIT)) {
            List<Double> values = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (FeedbackType f : FeedbackType.values()) {
                CellStats s = summary.find("method-feedback", m, f).orElse(null);
                values.add(s == null ? 0 : s.credit().mean());
                errors.add(s == null ? 0 : s.credit().std());
            }
            c.addSeries(m.label(), labels, values, errors).setFillColor(color(m));
        }
        return save(List.of(c), 1, 1, "fig2_credit_correlation.png");
    }

    private static List<String> PAPER_FEEDBACK_LABELS() {
        List<String> labels = new ArrayList<>();
        for (FeedbackType f : FeedbackType.values()) {
            labels.add(f.label());
        }
        return labels;
    }

    private String entropy() {
        XYChart curves = xy("Policy entropy, continuous feedback", "step", "entropy (nats)");
        for (SimMethod m : SimMethod.values()) {
            summary.find("method-feedback", m, FeedbackType.CONTINUOUS)
                    .ifPresent(s -> line(curves, m.label(), s.entropyCurve(), color(m)));
        }
        line(curves, "max ln V", constant(summary.config().steps(), Math.log(summary.config().world().vocab())), Color.GRAY);
        CategoryChart finals = bars("Final entropy by feedback type", "feedback", "entropy (nats)");
        for (SimMethod m : List.of(SimMethod.SDPO, SimMethod.REINFORCE, SimMethod.ADVANTAGE_WEIGHTED, SimMethod.CREDIT)) {
            List<Double> values = new ArrayList<>();
            for (FeedbackType f : FeedbackType.values()) {
                values.add(summary.find("method-feedback", m, f).map(s -> s.entropy().mean()).orElse(0.0));
            }
            finals.addSeries(m.label(), PAPER_FEEDBACK_LABELS(), values).setFillColor(color(m));
        }
        finals.getStyler().setYAxisMin(1.4);
        return save(List.of(curves, finals), 1, 2, "fig3_entropy.png");
    }

    private String noise() {
        XYChart reward = xy("Final reward vs feedback noise", "sigma", "reward");
        XYChart credit = xy("Credit correlation vs feedback noise", "sigma", "Pearson r");
        for (SimMethod m : ExperimentSets.PAPER_METHODS) {
            List<CellStats> cells = summary.cells("noise").stream().filter(c -> c.cell().method() == m).toList();
            double[] x = cells.stream().mapToDouble(c -> c.cell().sigma()).toArray();
            errorLine(reward, m.label(), x, cells.stream().mapToDouble(c -> c.reward().mean()).toArray(),
                    cells.stream().mapToDouble(c -> c.reward().std()).toArray(), color(m));
            errorLine(credit, m.label(), x, cells.stream().mapToDouble(c -> c.credit().mean()).toArray(),
                    cells.stream().mapToDouble(c -> c.credit().std()).toArray(), color(m));
        }
        return save(List.of(reward, credit), 1, 2, "fig4_noise.png");
    }

    private String hybrid() {
        List<XYChart> charts = new ArrayList<>();
        for (FeedbackType f : List.of(FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE)) {
            XYChart c = xy(String.format(Locale.ROOT, "Reward, %s, sigma %.1f", f.label(), summary.config().hybridSigma()),
                    "step", "mean reward (smoothed)");
            for (SimMethod m : List.of(SimMethod.HYBRID, SimMethod.SDPO, SimMethod.REINFORCE)) {
                summary.find("hybrid", m, f).ifPresent(s -> line(c, m.label(), smooth(s.rewardCurve()), color(m)));
            }
            charts.add(c);
        }
        XYChart alpha = xy("Hybrid weight alpha on SDPO", "step", "alpha");
        for (FeedbackType f : List.of(FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE)) {
            summary.find("hybrid", SimMethod.HYBRID, f).ifPresent(s -> line(alpha, f.label(), s.alphaCurve(),
                    f == FeedbackType.CONTINUOUS ? color(SimMethod.HYBRID) : Color.DARK_GRAY));
        }
        alpha.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        charts.add(alpha);
        return save(charts, 1, 3, "fig5_hybrid.png");
    }

    private String multiSeed() {
        CategoryChart c = bars(String.format(Locale.ROOT, "Final reward over %d fresh seeds (continuous)", summary.config().seeds()),
                "method", "reward");
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (SimMethod m : ExperimentSets.PAPER_METHODS) {
            summary.find("multi-seed", m, FeedbackType.CONTINUOUS).ifPresent(s -> {
                labels.add(m.label());
                values.add(s.reward().mean());
                errors.add(s.reward().std());
            });
        }
        c.addSeries("mean ± std", labels, values, errors).setFillColor(color(SimMethod.SDPO));
        c.getStyler().setYAxisMin(0.4);
        return save(List.of(c), 1, 1, "fig6_multi_seed.png");
    }

    private String bias() {
        XYChart reward = xy("Final reward: biased vs noisy judge", "bias strength kappa (biased) / sigma x 4 (noisy)", "reward");
        XYChart credit = xy("Credit correlation: biased vs noisy judge", "bias strength kappa (biased) / sigma x 4 (noisy)", "Pearson r");
        for (SimMethod m : List.of(SimMethod.SDPO, SimMethod.REINFORCE)) {
            for (boolean biased : new boolean[] {true, false}) {
                List<CellStats> cells = summary.cells("bias").stream()
                        .filter(c -> c.cell().method() == m && (biased ? c.cell().sigma() == 0 : c.cell().bias() == 0))
                        .toList();
                double[] x = cells.stream().mapToDouble(c -> biased ? c.cell().bias() : 4 * c.cell().sigma()).toArray();
                String name = m.label() + (biased ? ", biased judge" : ", noisy judge");
                Color color = biased ? color(m) : color(m).brighter();
                errorLine(reward, name, x, cells.stream().mapToDouble(c -> c.reward().mean()).toArray(),
                        cells.stream().mapToDouble(c -> c.reward().std()).toArray(), color);
                errorLine(credit, name, x, cells.stream().mapToDouble(c -> c.credit().mean()).toArray(),
                        cells.stream().mapToDouble(c -> c.credit().std()).toArray(), color);
            }
        }
        return save(List.of(reward, credit), 1, 2, "fig7_bias.png");
    }

    private String diversity() {
        XYChart c = xy("Reward-entropy trade-off (continuous)", "final entropy (nats)", "final reward", WIDTH * 3 / 2);
        c.getStyler().setPlotContentSize(0.9);
        c.getStyler().setLegendPadding(4);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        c.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        addFrontier(c, "SDPO + entropy bonus", summary.cells("diversity").stream()
                .filter(s -> s.cell().method() == SimMethod.SDPO && s.cell().teacherTemperature() == 1.0).toList(), color(SimMethod.SDPO));
        addFrontier(c, "SDPO + teacher temperature", summary.cells("diversity").stream()
                .filter(s -> s.cell().method() == SimMethod.SDPO && s.cell().entropyBonus() == 0).toList(), new Color(23, 190, 207));
        for (SimMethod m : List.of(SimMethod.HYBRID, SimMethod.REINFORCE)) {
            summary.find("diversity", m, FeedbackType.CONTINUOUS).ifPresent(s -> {
                XYSeries p = c.addSeries(m.label(), new double[] {s.entropy().mean()}, new double[] {s.reward().mean()});
                p.setMarker(SeriesMarkers.DIAMOND);
                p.setMarkerColor(color(m));
                p.setLineStyle(new BasicStroke(0f));
            });
        }
        return save(List.of(c), 1, 1, "fig8_diversity.png");
    }

    private static void addFrontier(XYChart c, String name, List<CellStats> cells, Color color) {
        List<CellStats> sorted = new ArrayList<>(cells);
        sorted.sort(java.util.Comparator.comparingDouble(s -> s.entropy().mean()));
        XYSeries s = c.addSeries(name, sorted.stream().mapToDouble(x -> x.entropy().mean()).toArray(),
                sorted.stream().mapToDouble(x -> x.reward().mean()).toArray());
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(color);
        s.setMarkerColor(color);
    }

    private static XYChart xy(String title, String x, String y) {
        return xy(title, x, y, WIDTH);
    }

    private static XYChart xy(String title, String x, String y, int width) {
        return sdpo4j.report.Charts.xy(title, x, y, width);
    }

    private static CategoryChart bars(String title, String x, String y) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH * 3 / 2).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setErrorBarsColor(Color.BLACK);
        c.getStyler().setOverlapped(false);
        return c;
    }

    private static void line(XYChart c, String name, double[] y, Color color) {
        double[] x = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        sdpo4j.report.Charts.line(c, name, x, y, color);
    }

    private static void errorLine(XYChart c, String name, double[] x, double[] y, double[] err, Color color) {
        if (x.length == 0) {
            return;
        }
        XYSeries s = c.addSeries(name, x, y, err);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(color);
        s.setMarkerColor(color);
    }

    private static double[] constant(int n, double v) {
        double[] y = new double[n];
        java.util.Arrays.fill(y, v);
        return y;
    }

    /** Trailing moving average, as the paper's curves (window 15). */
    static double[] smooth(double[] y) {
        double[] out = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= SMOOTHING_WINDOW) {
                sum -= y[i - SMOOTHING_WINDOW];
            }
            out[i] = sum / Math.min(i + 1, SMOOTHING_WINDOW);
        }
        return out;
    }

    /** Charts laid out row by row on a white canvas; cells past the last chart stay blank. */

    private <T extends Chart<?, ?>> String save(List<T> charts, int rows, int cols, String name) {
        sdpo4j.report.Charts.savePng(dir.resolve(name), charts, rows, cols);
        return name;
    }
}
