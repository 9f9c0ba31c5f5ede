package sdpo4j.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.bridge.BridgeConfig;
import sdpo4j.cli.Main;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.RunDirectory;

/**
 * A bridge cell: the ordinary {@code bridge} command for one seed (its own learned teacher,
 * pretrained on that seed's world), run in the executor's JVM on one thread. The metrics are
 * each run's final-window reward and credit correlation on both sides, named
 * {@code lm|simulator/method/feedback[/sigma=S]/reward|credit}.
 */
final class BridgeCell implements CellRunner {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, Double> run(Cell cell, RunDirectory dir, BooleanSupplier stop) {
        BridgeConfig cfg = cell.config(BridgeConfig.class);
        StringWriter err = new StringWriter();
        Path input = null;
        try {
            input = Files.createTempFile("sdpo4j-bridge-cell-", ".yaml");
            Files.writeString(input, ConfigLoader.toYaml(cfg));
            int rc = Main.execute(new String[] {"bridge", "--config", input.toString(), "--threads", "1",
                    "--runs-dir", dir.path().getParent().toString(), "--name", dir.path().getFileName().toString(), "--overwrite"},
                    new PrintWriter(System.out, true), new PrintWriter(err, true));
            if (rc != 0) {
                throw new IllegalStateException("cell " + cell.hash() + ": bridge exited " + rc + ": " + err.toString().strip());
            }
            return metrics(dir.resolve("runs.json"), cfg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (input != null) {
                input.toFile().delete();
            }
        }
    }

    private static Map<String, Double> metrics(Path runsJson, BridgeConfig cfg) throws IOException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (JsonNode row : new ObjectMapper().readTree(runsJson.toFile())) {
            String side = row.get("side").asText();
            int window = side.equals("lm") ? cfg.finalWindow() : cfg.simFinalWindow();
            String name = side + "/" + row.get("method").asText() + "/" + row.get("feedback").asText()
                    + (row.get("sigma").asDouble() != 0 ? String.format(Locale.ROOT, "/sigma=%s", row.get("sigma").asDouble()) : "");
            out.put(name + "/reward", tailMean(row.get("reward"), window));
            out.put(name + "/credit", tailMean(row.get("credit_corr"), window));
        }
        return out;
    }

    private static double tailMean(JsonNode values, int window) {
        int n = values.size();
        int k = Math.min(window, n);
        double sum = 0;
        for (int i = n - k; i < n; i++) {
            sum += values.get(i).asDouble();
        }
        return sum / k;
    }
}
