package sdpo4j.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import sdpo4j.report.Charts;
import sdpo4j.run.AtomicFiles;
import sdpo4j.stats.Interval;
import sdpo4j.stats.MeanStd;
import sdpo4j.stats.StudentT;

/**
 * The sweep's {@code report.md}: per grid point and metric the mean and 95% CI over seeds with
 * links to each seed's run, plots of chosen metrics against the grid points, every cell's
 * record; {@code results.json} holds the table and every cell's metrics.
 */
final class SweepReport {
    private final SweepConfig cfg;
    private final List<Cell> cells;
    private final Map<String, CellResult> results;

    /** {@code results} has one entry per cell of {@code cells}, keyed by hash. */
    SweepReport(SweepConfig cfg, List<Cell> cells, Map<String, CellResult> results) {
        this.cfg = cfg;
        this.cells = cells;
        this.results = results;
    }

    /**
     * One row of the table: a grid point's metric over its seeds.
     *
     * @param ci the 95% t interval of the mean ({@link StudentT}); null for one seed
     */
    record Row(String point, String metric, int n, double mean, Interval ci, List<String> hashes) {
        static Row of(String point, String metric, double[] values, List<String> hashes) {
            return new Row(point, metric, values.length, MeanStd.of(values).mean(),
                    values.length < 2 ? null : StudentT.meanInterval(values, 0.95), hashes);
        }

        /** Half the interval's width; NaN for one seed. */
        double halfWidth() {
            return ci == null ? Double.NaN : ci.hi() - ci.estimate();
        }
    }

    /** The table: grid points in plan order, metrics in first-seen order, seeds pooled. */
    List<Row> rows() {
        Map<String, List<Cell>> byPoint = new LinkedHashMap<>();
        cells.forEach(c -> byPoint.computeIfAbsent(c.pointLabel(), k -> new ArrayList<>()).add(c));
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<Cell>> e : byPoint.entrySet()) {
            Set<String> names = new LinkedHashSet<>();
            e.getValue().forEach(c -> names.addAll(results.get(c.hash()).metrics().keySet()));
            for (String metric : names) {
                if (!reported(metric)) {
                    continue;
                }
                List<Double> values = new ArrayList<>();
                List<String> hashes = new ArrayList<>();
                for (Cell c : e.getValue()) {
                    Double v = results.get(c.hash()).metrics().get(metric);
                    if (v != null) {
                        values.add(v);
                        hashes.add(c.hash());
                    }
                }
                rows.add(Row.of(e.getKey(), metric, values.stream().mapToDouble(Double::doubleValue).toArray(), hashes));
            }
        }
        return rows;
    }

    private boolean reported(String metric) {
        return cfg.metrics().isEmpty() || cfg.metrics().stream().anyMatch(metric::contains);
    }

    Path write(Path dir, String command, String master, int ranNow, double seconds) {
        List<Row> rows = rows();
        StringBuilder md = new StringBuilder("# Sweep\n\n");
        md.append(String.format(Locale.ROOT, "`%s`: base `%s`%s, %d grid point(s) x %d seed(s) = %d cells on `%s`; "
                        + "%d ran in this invocation (%.1f s), %d were finished before.\n\n",
                command, cfg.base().name().toLowerCase(Locale.ROOT), cfg.config().isBlank() ? "" : " (" + cfg.config() + ")",
                cells.size() / cfg.seeds().size(), cfg.seeds().size(), cells.size(), master, ranNow, seconds,
                cells.size() - ranNow));
        if (!cfg.set().isEmpty()) {
            md.append("Every cell: `--set ").append(String.join("` `--set ", cfg.set())).append("`.\n\n");
        }
        md.append("## Mean and 95% confidence interval over seeds\n\n");
        md.append("t interval over seeds (mean ± t(0.975, n-1) · s/√n); each seed's run is linked.\n\n");
        md.append("| grid point | metric | n | mean | 95% CI | runs |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %s | %s |%n", r.point(), r.metric(), r.n(),
                    r.mean(), r.ci() == null ? "(one seed)"
                            : String.format(Locale.ROOT, "[%.4f, %.4f]", r.ci().lo(), r.ci().hi()), links(r.hashes())));
        }
        List<String> plotted = plots(rows);
        if (!plotted.isEmpty()) {
            writePlots(dir.resolve("plots.png"), rows, plotted);
            md.append("\n## Plots\n\nMean and 95% CI per grid point: ").append(String.join(", ", plotted))
                    .append(".\n\n![plots](plots.png)\n");
        }
        md.append("\n## Cells\n\n| cell | grid point | seed | seconds | attempt | executor |\n|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            CellResult r = results.get(c.hash());
            md.append(String.format(Locale.ROOT, "| [%s](cells/%s/) | %s | %d | %.1f | %d | %s |%n", c.hash(), c.hash(),
                    c.pointLabel(), c.seed(), r.seconds(), r.attempt(), r.executor()));
        }
        AtomicFiles.writeString(dir.resolve("report.md"), md.toString());
        writeJson(dir.resolve("results.json"), rows);
        return dir.resolve("report.md");
    }

    private String links(List<String> hashes) {
        List<String> out = new ArrayList<>();
        Map<String, Cell> byHash = new LinkedHashMap<>();
        cells.forEach(c -> byHash.put(c.hash(), c));
        for (String h : hashes) {
            out.add("[" + byHash.get(h).seed() + "](cells/" + h + "/)");
        }
        return String.join(" ", out);
    }

    private List<String> plots(List<Row> rows) {
        if (!cfg.plots().isEmpty()) {
            return cfg.plots().stream().filter(p -> rows.stream().anyMatch(r -> r.metric().equals(p))).toList();
        }
        return rows.isEmpty() ? List.of() : List.of(rows.get(0).metric());
    }

    private void writePlots(Path file, List<Row> rows, List<String> metrics) {
        List<CategoryChart> charts = new ArrayList<>();
        for (String metric : metrics) {
            List<Row> mine = rows.stream().filter(r -> r.metric().equals(metric)).toList();
            CategoryChart c = new CategoryChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT).title(metric)
                    .xAxisTitle("grid point").yAxisTitle("mean ± 95% CI").build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setPlotGridLinesVisible(true);
            c.getStyler().setXAxisLabelRotation(30);
            c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
            c.getStyler().setErrorBarsColor(Color.DARK_GRAY);
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            List<String> x = mine.stream().map(Row::point).toList();
            List<Double> y = mine.stream().map(Row::mean).toList();
            List<Double> err = mine.stream().map(r -> r.ci() == null ? 0.0 : r.halfWidth()).toList();
            c.addSeries(metric, x, y, err);
            charts.add(c);
        }
        int cols = Math.min(3, charts.size());
        Charts.savePng(file, charts, (charts.size() + cols - 1) / cols, cols);
    }

    private void writeJson(Path file, List<Row> rows) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("point", r.point());
            m.put("metric", r.metric());
            m.put("n", r.n());
            m.put("mean", r.mean());
            m.put("ci95_half_width", r.halfWidth());
            m.put("cells", r.hashes());
            table.add(m);
        }
        out.put("table", table);
        out.put("cells", cells.stream().map(c -> results.get(c.hash())).toList());
        try {
            AtomicFiles.writeString(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
