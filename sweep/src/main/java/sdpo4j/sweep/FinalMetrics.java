package sdpo4j.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import sdpo4j.run.RunException;

/** A training run's outcome as cell metrics: the last and best logged value of each held-out metric. */
final class FinalMetrics {
    private FinalMetrics() {}

    /**
     * From a run's {@code metrics.jsonl}: for every numeric key starting with {@code eval_}, its
     * last value ({@code NAME}) and its largest ({@code NAME/best}), each prefixed by {@code prefix}.
     */
    static Map<String, Double> read(Path metricsFile, String prefix) {
        ObjectMapper json = new ObjectMapper();
        Map<String, Double> last = new LinkedHashMap<>();
        Map<String, Double> best = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(metricsFile)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = json.readTree(line);
                for (Iterator<Map.Entry<String, JsonNode>> it = row.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().startsWith("eval_") && e.getValue().isNumber()) {
                        double v = e.getValue().doubleValue();
                        last.put(prefix + e.getKey(), v);
                        best.merge(prefix + e.getKey() + "/best", v, Math::max);
                    }
                }
            }
        } catch (IOException e) {
            throw new RunException("cannot read " + metricsFile + ": " + e.getMessage(), e);
        }
        Map<String, Double> out = new LinkedHashMap<>(last);
        out.putAll(best);
        return out;
    }
}
