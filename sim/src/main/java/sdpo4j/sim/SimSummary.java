package sdpo4j.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import sdpo4j.stats.MeanStd;

/** Results grouped into cells (a set's settings over its seeds), with lookups for the report. */
public final class SimSummary {
    private final SimConfig cfg;
    private final Map<String, CellStats> cells = new LinkedHashMap<>();

    public SimSummary(SimConfig cfg, Simulation.Results results) {
        this.cfg = cfg;
        Map<String, List<RunSpec>> byCell = new LinkedHashMap<>();
        for (RunSpec r : results.runs()) {
            byCell.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<RunSpec>> e : byCell.entrySet()) {
            cells.put(e.getKey(), summarise(e.getValue(), results));
        }
    }

    private CellStats summarise(List<RunSpec> runs, Simulation.Results results) {
        int n = runs.size();
        int steps = cfg.steps();
        int from = steps - cfg.finalWindow();
        double[] reward = new double[n];
        double[] credit = new double[n];
        double[] entropy = new double[n];
        double[] rewardCurve = new double[steps];
        double[] entropyCurve = new double[steps];
        double[] creditCurve = new double[steps];
        double[] alphaCurve = new double[steps];
        for (int i = 0; i < n; i++) {
            Simulation.RunTrace t = results.trace(runs.get(i));
            reward[i] = windowMean(t.reward(), from);
            credit[i] = windowMean(t.credit(), from);
            entropy[i] = windowMean(t.entropy(), from);
            for (int s = 0; s < steps; s++) {
                rewardCurve[s] += t.reward()[s] / n;
                entropyCurve[s] += t.entropy()[s] / n;
                creditCurve[s] += t.credit()[s] / n;
                alphaCurve[s] += t.alpha()[s] / n;
            }
        }
        return new CellStats(runs.get(0), n, MeanStd.of(reward), MeanStd.of(credit),
                MeanStd.of(entropy), rewardCurve, entropyCurve, creditCurve, alphaCurve);
    }

    private static double windowMean(float[] x, int from) {
        double sum = 0;
        for (int s = from; s < x.length; s++) {
            sum += x[s];
        }
        return sum / (x.length - from);
    }

    public SimConfig config() {
        return cfg;
    }

    public List<CellStats> cells(String set) {
        return cells.values().stream().filter(c -> c.cell().set().equals(set)).toList();
    }

    public Optional<CellStats> find(String set, Predicate<RunSpec> match) {
        return cells(set).stream().filter(c -> match.test(c.cell())).findFirst();
    }

    /** The cell of a set with this method and feedback type, and no noise, bias or regulariser variant. */
    public Optional<CellStats> find(String set, SimMethod method, FeedbackType feedback) {
        return find(set, r -> r.method() == method && r.feedback() == feedback);
    }

    public boolean has(String set) {
        return cfg.sets().contains(set);
    }
}
