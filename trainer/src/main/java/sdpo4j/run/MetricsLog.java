package sdpo4j.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per step, flushed as written, so a killed run keeps
 * every finished step. Keys keep their insertion order ({@code step} first by convention).
 * NaN and infinities, which JSON cannot hold, are written as {@code null}.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final Writer out;

    private MetricsLog(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    static MetricsLog open(Path file) {
        try {
            return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new RunException("cannot open " + file + " for metrics: " + e.getMessage(), e);
        }
    }

    /** Appends one line and flushes it. */
    public void log(Map<String, ?> metrics) {
        Map<String, Object> clean = new LinkedHashMap<>();
        metrics.forEach((k, v) -> clean.put(k, v instanceof Double d && !Double.isFinite(d) ? null
                : v instanceof Float f && !Float.isFinite(f) ? null : v));
        try {
            out.write(JSON.writeValueAsString(clean));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new RunException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new RunException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}
