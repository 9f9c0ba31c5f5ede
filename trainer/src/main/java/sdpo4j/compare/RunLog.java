package sdpo4j.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.run.RunException;
import sdpo4j.train.Evaluator;

/**
 * One finished run's {@code metrics.jsonl}, read back for the report. Each line also gets the
 * running totals {@link #GENERATIONS} and {@link #GENERATED_TOKENS} (training rollouts up to and
 * including that step; evaluation is not counted), the compute axes of the curves.
 */
record RunLog(String method, long seed, List<Map<String, Object>> lines) {
    static final String GENERATIONS = "generations";
    static final String GENERATED_TOKENS = "generated_tokens";

    /** A run's log; {@code responsesPerStep} (prompts x group size) turns mean lengths into token counts. */
    @SuppressWarnings("unchecked")
    static RunLog read(String method, long seed, Path metrics, int responsesPerStep) {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> lines = new ArrayList<>();
        try {
            long generations = 0;
            double tokens = 0;
            for (String l : Files.readAllLines(metrics)) {
                if (!l.isBlank()) {
                    Map<String, Object> line = new LinkedHashMap<>(json.readValue(l, Map.class));
                    generations += responsesPerStep;
                    if (line.get("response_length_mean") instanceof Number len) {
                        tokens += len.doubleValue() * responsesPerStep;
                    }
                    line.put(GENERATIONS, generations);
                    line.put(GENERATED_TOKENS, Math.round(tokens));
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new RunException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
        return new RunLog(method, seed, lines);
    }

    /** (x, value) pairs of a metric, at the steps that logged it. */
    double[][] series(String key, String x) {
        List<double[]> pts = new ArrayList<>();
        for (Map<String, Object> l : lines) {
            if (l.get(key) instanceof Number v && l.get(x) instanceof Number xv) {
                pts.add(new double[] {xv.doubleValue(), v.doubleValue()});
            }
        }
        double[][] out = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
        }
        return out;
    }

    /** The last logged value of a metric, or NaN. */
    double last(String key) {
        double[] v = series(key, "step")[1];
        return v.length == 0 ? Double.NaN : v[v.length - 1];
    }

    /** The best (largest) logged value of a metric, or NaN. */
    double max(String key) {
        double best = Double.NaN;
        for (double v : series(key, "step")[1]) {
            best = Double.isNaN(best) ? v : Math.max(best, v);
        }
        return best;
    }

    /** Mean of a metric over the last {@code n} steps that logged it, or NaN. */
    double tailMean(String key, int n) {
        double[] v = series(key, "step")[1];
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        int k = Math.min(n, v.length);
        for (int i = v.length - k; i < v.length; i++) {
            s += v[i];
        }
        return s / k;
    }

    /** The first line at which {@code key} reached {@code target}, or null. */
    Map<String, Object> firstReaching(String key, double target) {
        for (Map<String, Object> l : lines) {
            if (l.get(key) instanceof Number v && v.doubleValue() >= target) {
                return l;
            }
        }
        return null;
    }

    /**
     * Per held-out task values of {@code key} at its last evaluation ({@code best} false) or at
     * the evaluation where its mean was highest (the first such), or the mean alone as a single
     * value when the run did not log them per task; null when {@code key} was never logged.
     */
    double[] perTask(String key, boolean best) {
        Map<String, Object> chosen = null;
        double top = Double.NEGATIVE_INFINITY;
        for (Map<String, Object> l : lines) {
            if (l.get(key) instanceof Number v && (!best || v.doubleValue() > top)) {
                chosen = l;
                top = v.doubleValue();
            }
        }
        if (chosen == null) {
            return null;
        }
        if (chosen.get(key + Evaluator.PER_TASK) instanceof List<?> values) {
            double[] out = new double[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) values.get(i)).doubleValue();
            }
            return out;
        }
        return new double[] {((Number) chosen.get(key)).doubleValue()};
    }
}
