package sdpo4j.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sdpo4j.run.RunException;

/** One finished run's {@code metrics.jsonl}, read back for the report. */
record RunLog(String method, long seed, List<Map<String, Object>> lines) {

    @SuppressWarnings("unchecked")
    static RunLog read(String method, long seed, Path metrics) {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> lines = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(metrics)) {
                if (!l.isBlank()) {
                    lines.add(json.readValue(l, Map.class));
                }
            }
        } catch (IOException e) {
            throw new RunException("cannot read " + metrics + ": " + e.getMessage(), e);
        }
        return new RunLog(method, seed, lines);
    }

    /** (step, value) pairs of a metric, at the steps that logged it. */
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

    /** The first step at which {@code key} reached {@code target}, or -1. */
    long stepsTo(String key, double target) {
        double[][] s = series(key, "step");
        for (int i = 0; i < s[0].length; i++) {
            if (s[1][i] >= target) {
                return (long) s[0][i];
            }
        }
        return -1;
    }
}
