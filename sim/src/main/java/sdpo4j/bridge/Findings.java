package sdpo4j.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import sdpo4j.sim.CellStats;
import sdpo4j.sim.FeedbackType;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.SimMethod;
import sdpo4j.sim.Simulation;
import sdpo4j.stats.MeanStd;

/**
 * The simulator's findings as measurable effects, each computed the same way on the
 * simulator's runs and on the LM's, with a verdict per side. An effect is a per-seed difference
 * (paired by seed: both sides of a comparison share the world and, in the LM, the sampling
 * stream) whose expected sign is positive when the finding holds.
 */
final class Findings {
    /** How an effect came out over the seeds. */
    enum Verdict {
        HOLDS, WEAKER, REVERSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Mean and standard error of a per-seed effect. */
    record Effect(double mean, double se, int seeds) {
        static Effect of(double[] x) {
            MeanStd s = MeanStd.of(x);
            return new Effect(s.mean(), x.length > 1 ? s.std() / Math.sqrt(x.length) : Double.NaN, x.length);
        }

        /**
         * Holds: positive and more than two standard errors from zero; reversed: negative by more
         * than two standard errors; weaker: not resolved from zero with these seeds. With one seed
         * there is no standard error and the sign decides.
         */
        Verdict verdict() {
            double bar = Double.isNaN(se) ? 0 : 2 * se;
            if (mean > bar) {
                return Verdict.HOLDS;
            }
            return mean < -bar ? Verdict.REVERSED : Verdict.WEAKER;
        }

        String format() {
            return Double.isNaN(se) ? String.format(Locale.ROOT, "%+.3f", mean)
                    : String.format(Locale.ROOT, "%+.3f ± %.3f", mean, se);
        }
    }

    /**
     * One finding's effect on both sides, and how the metric moved in the cells it compares
     * (first step, then final window, mean over seeds): the facts to read a difference by.
     */
    record Row(String finding, String effect, Effect simulator, Effect lm, String trajectory) {}

    /** A cell of the grid and its name in the report. */
    private record Cell(String label, Predicate<RunSpec> match) {}

    /** A measured quantity of a run: its mean over the final window of steps. */
    enum Metric { REWARD, CREDIT, ENTROPY }

    private final List<RunSpec> runs;
    private final Simulation.Results sim;
    private final int simWindow;
    private final Simulation.Results lm;
    private final int lmWindow;
    private final double noisiest;

    Findings(BridgeConfig cfg, List<RunSpec> runs, Simulation.Results sim, Simulation.Results lm) {
        this.runs = runs;
        this.sim = sim;
        this.simWindow = cfg.simFinalWindow();
        this.lm = lm;
        this.lmWindow = cfg.finalWindow();
        this.noisiest = cfg.noiseLevels().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        String mf = "method-feedback";
        if (has(mf)) {
            for (FeedbackType f : TeacherCorpus.TYPES) {
                rows.add(diff("SDPO beats REINFORCE on reward (" + f.label() + ")", "reward SDPO - REINFORCE", Metric.REWARD,
                        cell(mf, SimMethod.SDPO, f), cell(mf, SimMethod.REINFORCE, f)));
            }
            for (FeedbackType f : TeacherCorpus.TYPES) {
                rows.add(level("SDPO's credit assignment follows the true advantage (" + f.label() + ")", "credit corr. SDPO",
                        Metric.CREDIT, cell(mf, SimMethod.SDPO, f)));
            }
            rows.add(diff("SDPO's credit assignment improves with richer feedback", "credit corr. critique - binary",
                    Metric.CREDIT, cell(mf, SimMethod.SDPO, FeedbackType.CRITIQUE), cell(mf, SimMethod.SDPO, FeedbackType.BINARY)));
            for (FeedbackType f : TeacherCorpus.TYPES) {
                rows.add(diff("SDPO lowers entropy (" + f.label() + ")", "entropy REINFORCE - SDPO", Metric.ENTROPY,
                        cell(mf, SimMethod.REINFORCE, f), cell(mf, SimMethod.SDPO, f)));
            }
            rows.add(diff("SDPO lowers entropy most under binary feedback", "entropy SDPO continuous - binary", Metric.ENTROPY,
                    cell(mf, SimMethod.SDPO, FeedbackType.CONTINUOUS), cell(mf, SimMethod.SDPO, FeedbackType.BINARY)));
        }
        if (has("noise") && noisiest > 0) {
            Cell clean = noise(0);
            Cell noisy = noise(noisiest);
            rows.add(costsLittle("Noise costs SDPO little (sigma " + fmt(noisiest) + ")",
                    "reward sigma " + fmt(noisiest) + " - sigma 0, relative", clean, noisy));
        }
        if (has("hybrid")) {
            for (FeedbackType f : List.of(FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE)) {
                rows.add(diff("The hybrid keeps more entropy than SDPO (" + f.label() + ")", "entropy hybrid - SDPO",
                        Metric.ENTROPY, cell("hybrid", SimMethod.HYBRID, f), cell("hybrid", SimMethod.SDPO, f)));
            }
        }
        return rows;
    }

    private boolean has(String set) {
        return runs.stream().anyMatch(r -> r.set().equals(set));
    }

    private Cell noise(double sigma) {
        return new Cell("SDPO sigma " + fmt(sigma), r -> r.set().equals("noise") && r.method() == SimMethod.SDPO && r.sigma() == sigma);
    }

    private static Cell cell(String set, SimMethod method, FeedbackType f) {
        return new Cell(method.label() + " " + f.label(), r -> r.set().equals(set) && r.method() == method && r.feedback() == f);
    }

    private Row diff(String finding, String effect, Metric metric, Cell a, Cell b) {
        return new Row(finding, effect,
                Effect.of(minus(perSeed(sim, simWindow, a.match(), metric), perSeed(sim, simWindow, b.match(), metric))),
                Effect.of(minus(perSeed(lm, lmWindow, a.match(), metric), perSeed(lm, lmWindow, b.match(), metric))),
                trajectory(a, metric) + "; " + trajectory(b, metric));
    }

    private Row level(String finding, String effect, Metric metric, Cell a) {
        return new Row(finding, effect, Effect.of(perSeed(sim, simWindow, a.match(), metric)),
                Effect.of(perSeed(lm, lmWindow, a.match(), metric)), trajectory(a, metric));
    }

    /** "SDPO binary reward: sim 0.52 -> 0.70, LM 0.52 -> 0.63": first step and final window, mean over seeds. */
    private String trajectory(Cell c, Metric metric) {
        return String.format(Locale.ROOT, "%s %s: sim %.3f -> %.3f, LM %.3f -> %.3f", c.label(),
                metric.name().toLowerCase(Locale.ROOT), mean(perStep(sim, c.match(), metric, 0)),
                mean(perSeed(sim, simWindow, c.match(), metric)), mean(perStep(lm, c.match(), metric, 0)),
                mean(perSeed(lm, lmWindow, c.match(), metric)));
    }

    private double[] perStep(Simulation.Results results, Predicate<RunSpec> cell, Metric metric, int step) {
        return runs.stream().filter(cell).mapToDouble(r -> series(results.trace(r), metric)[step]).toArray();
    }

    private static double mean(double[] x) {
        return MeanStd.of(x).mean();
    }

    /**
     * "Costs little": the relative reward change under noise, shifted so that a loss of under 5%
     * counts as holding ({@code change + 0.05}, positive when the loss is below 5%).
     */
    private Row costsLittle(String finding, String effect, Cell clean, Cell noisy) {
        return new Row(finding, effect + " + 0.05", Effect.of(relative(sim, simWindow, clean, noisy)),
                Effect.of(relative(lm, lmWindow, clean, noisy)),
                trajectory(clean, Metric.REWARD) + "; " + trajectory(noisy, Metric.REWARD));
    }

    private double[] relative(Simulation.Results r, int window, Cell clean, Cell noisy) {
        double[] a = perSeed(r, window, clean.match(), Metric.REWARD);
        double[] b = perSeed(r, window, noisy.match(), Metric.REWARD);
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (b[i] - a[i]) / a[i] + 0.05;
        }
        return out;
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** The metric's final-window mean for each seed of the cell, in seed order. */
    private double[] perSeed(Simulation.Results results, int window, Predicate<RunSpec> cell, Metric metric) {
        List<RunSpec> seeds = runs.stream().filter(cell).sorted(java.util.Comparator.comparingLong(RunSpec::seed)).toList();
        double[] out = new double[seeds.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = windowMean(series(results.trace(seeds.get(i)), metric), window);
        }
        return out;
    }

    private static float[] series(Simulation.RunTrace t, Metric metric) {
        return switch (metric) {
            case REWARD -> t.reward();
            case CREDIT -> t.credit();
            case ENTROPY -> t.entropy();
        };
    }

    static double windowMean(float[] x, int window) {
        double sum = 0;
        int n = 0;
        for (int s = Math.max(0, x.length - window); s < x.length; s++) {
            if (!Float.isNaN(x[s])) {
                sum += x[s];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.2f", x);
    }
}
