package sdpo4j.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.compare.CompareConfig;
import sdpo4j.compare.Comparison;
import sdpo4j.run.RunDirectory;

/**
 * A comparison cell: every method of the comparison for the cell's one seed, with the ordinary
 * report; the metrics are each method's held-out results, named {@code METHOD/eval_...}.
 */
final class CompareCell implements CellRunner {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, Double> run(Cell cell, RunDirectory dir, BooleanSupplier stop) {
        CompareConfig cfg = cell.config(CompareConfig.class);
        dir.writeConfig(cfg);
        if (Comparison.run(cfg, dir, stop) == null) {
            throw new IllegalStateException("cell " + cell.hash() + " was stopped before its runs finished");
        }
        Map<String, Double> out = new LinkedHashMap<>();
        try (var entries = Files.list(dir.path())) {
            List<Path> runs = entries.filter(p -> Files.isRegularFile(p.resolve(RunDirectory.METRICS_FILE))).sorted().toList();
            for (Path run : runs) {
                String name = run.getFileName().toString();
                String method = name.contains("-seed") ? name.substring(0, name.lastIndexOf("-seed")) : name;
                out.putAll(FinalMetrics.read(run.resolve(RunDirectory.METRICS_FILE), method + "/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
