package sdpo4j.bridge;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.report.Charts;
import sdpo4j.run.AtomicFiles;
import sdpo4j.sim.CellStats;
import sdpo4j.sim.FeedbackType;
import sdpo4j.sim.ExperimentSets;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.SimMethod;
import sdpo4j.sim.SimPlots;
import sdpo4j.sim.SimSummary;
import sdpo4j.sim.Table;

/**
 * The bridge's report.md and figures: the learned teacher's fit, then every finding side by side.
 * Its tables are the simulator's {@link Table}s, its cells the simulator's {@link SimSummary} of both halves.
 */
final class BridgeReport {
    private final BridgeConfig cfg;
    private final BridgeExperiment.Outcome outcome;
    private final SimSummary sim;
    private final SimSummary lm;
    private final Path dir;

    BridgeReport(BridgeConfig cfg, BridgeExperiment.Outcome outcome, Path dir) {
        this.cfg = cfg;
        this.outcome = outcome;
        this.sim = new SimSummary(cfg.simulator(), outcome.sim());
        this.lm = new SimSummary(cfg.lmShape(), outcome.lm());
        this.dir = dir;
    }

    Path write(String commandLine, double seconds) {
        List<Findings.Row> rows = new Findings(cfg, outcome.runs(), outcome.sim(), outcome.lm()).rows();
        StringBuilder md = new StringBuilder();
        md.append("# Bridge: the simulator's findings on a real autoregressive model\n\n");
        md.append("`").append(commandLine).append("`: ").append(String.format(Locale.ROOT, "%.0f s", seconds))
                .append(" on this machine (").append(times()).append(").\n\n");
        md.append(String.format(Locale.ROOT, "LM: %s; %d runs of %d steps x %d rollouts (%s, lr %s, EMA rate %s); metrics are the mean "
                + "of the final %d steps. Simulator: the same runs and worlds, %d steps (lr %s), final %d steps. "
                + "Objective settings shared: top-K %d, alpha %s, tail bucket %s. Seeds per cell: %d.%n%n",
                lmDescription(), ExperimentSets.distinct(outcome.runs()).size(), cfg.steps(),
                cfg.rollouts(), cfg.optimizer() == BridgeConfig.Optimizer.SGD ? "plain gradient descent" : "AdamW",
                num(cfg.lr()), num(cfg.emaRate()), cfg.finalWindow(), cfg.simSteps(), num(cfg.simLr()),
                cfg.simFinalWindow(), cfg.objective().divergence().topK(), num(cfg.objective().divergence().alpha()),
                cfg.objective().divergence().tailBucket(), cfg.seeds()));
        teacherFit(md);
        findings(md, rows);
        cells(md);
        md.append("## Figures\n\n![curves](curves.png)\n\n![teacher fit](teacher-fit.png)\n\n"
                + "Every run's per-step metrics, both sides: `runs.json`.\n");
        curves();
        fitFigure();
        traces();
        Path report = dir.resolve("report.md");
        AtomicFiles.writeString(report, md.toString());
        return report;
    }

    private String lmDescription() {
        if (outcome.checkpoint()) {
            ModelConfig c = ModelConfig.read(outcome.reusedFrom());
            return String.format(Locale.ROOT, "the checkpoint %s (%s, %d layers, %d wide) as it is, with its own tokenizer and "
                    + "chat template, not pretrained by the bridge", outcome.reusedFrom(), c.modelType(), c.numLayers(), c.hiddenSize());
        }
        return String.format(Locale.ROOT, "a %d-layer, %d-wide Llama-family decoder with our byte-level tokenizer, pretrained on %d worlds",
                cfg.model().layers(), cfg.model().hidden(), cfg.seeds());
    }

    private String times() {
        List<String> parts = new ArrayList<>();
        outcome.seconds().forEach((k, v) -> parts.add(k + " " + String.format(Locale.ROOT, "%.0f s", v)));
        List<String> phases = new ArrayList<>();
        outcome.lmPhases().forEach((k, v) -> phases.add(k + " " + String.format(Locale.ROOT, "%.0f", v)));
        return String.join(", ", parts) + "; LM thread seconds: " + String.join(", ", phases);
    }

    private void teacherFit(StringBuilder md) {
        TeacherFit fit = outcome.fit();
        md.append("## 1. The learned teacher against the analytic one\n\n");
        if (outcome.checkpoint()) {
            md.append("The teacher is the checkpoint " + outcome.reusedFrom() + " as given: the bridge did not pretrain it, so "
                    + "it was never taught this task or to read its feedback, and no pretraining check applies. ");
        } else {
            md.append(outcome.reusedFrom() == null ? "" : "The learned teacher was reused from " + outcome.reusedFrom()
                    + " (pretrained there with the same settings). ");
            md.append(String.format(Locale.ROOT, "Pretraining loss (last tenth of the steps): %.4f nats per response token. ",
                    outcome.finalPretrainLoss()));
        }
        md.append(String.format(Locale.ROOT, "KL(analytic || learned) per symbol position on %d fresh judgements per world and feedback type "
                + "(the learned distribution renormalised over the %d symbols); `blind` is the KL of a teacher that ignores the "
                + "feedback (the uniform initial policy), the scale to read the fit against; `value-blind` is the best teacher that "
                + "knows the world and the feedback type but not what this feedback says (the analytic teacher averaged over "
                + "the judgements): a learned teacher near it reads that feedback is there, not its value; `mass` is the "
                + "probability the model puts on the symbol tokens.%n%n", cfg.teacherCheck(), cfg.world().vocab()));
        List<String> header = new ArrayList<>(List.of("context"));
        for (int t = 1; t <= cfg.world().length(); t++) {
            header.add("pos " + t);
        }
        header.addAll(List.of("mean", "blind", "value-blind", "mass"));
        Table table = new Table("teacher_fit", header);
        for (Map.Entry<String, double[]> e : fit.kl().entrySet()) {
            List<String> row = new ArrayList<>(List.of(e.getKey()));
            for (double x : e.getValue()) {
                row.add(String.format(Locale.ROOT, "%.4f", x));
            }
            row.add(String.format(Locale.ROOT, "%.4f", TeacherFit.mean(e.getValue())));
            row.add(String.format(Locale.ROOT, "%.4f", TeacherFit.mean(fit.ignoringFeedback().get(e.getKey()))));
            row.add(String.format(Locale.ROOT, "%.4f", TeacherFit.mean(fit.ignoringValue().get(e.getKey()))));
            row.add(String.format(Locale.ROOT, "%.3f", fit.symbolMass().get(e.getKey())));
            table.row(row);
        }
        md.append(table.markdown()).append('\n');
    }

    private void findings(StringBuilder md, List<Findings.Row> rows) {
        md.append("## 2. Findings, side by side\n\n");
        md.append("Each effect is a per-seed difference (paired by seed), mean ± standard error over seeds, signed so that "
                + "it is positive when the finding holds. Verdict: **holds** when it is positive by more than two standard "
                + "errors, **reversed** when negative by more than two, **weaker** when not resolved from zero with these "
                + "seeds. The LM verdict is whether the finding survives on the real model.\n\n");
        Table table = new Table("findings", List.of("finding", "effect", "simulator", "sim verdict", "LM", "LM verdict"));
        for (Findings.Row r : rows) {
            table.row(List.of(r.finding(), r.effect(), r.simulator().format(), r.simulator().verdict().label(), r.lm().format(),
                    "**" + r.lm().verdict().label() + "**"));
        }
        md.append(table.markdown());
        long holds = rows.stream().filter(r -> r.lm().verdict() == Findings.Verdict.HOLDS).count();
        long reversed = rows.stream().filter(r -> r.lm().verdict() == Findings.Verdict.REVERSED).count();
        md.append(String.format(Locale.ROOT, "%nOn the LM: %d of %d hold, %d weaker, %d reversed.%n%n", holds, rows.size(),
                rows.size() - holds - reversed, reversed));
        md.append("Where the verdicts differ, how the compared cells moved (first step -> final window, mean over seeds); "
                + "docs/bridge.md discusses the likely reasons:\n\n");
        for (Findings.Row r : rows) {
            if (r.simulator().verdict() != r.lm().verdict()) {
                md.append("- ").append(r.finding()).append(" (sim ").append(r.simulator().verdict().label()).append(", LM ")
                        .append(r.lm().verdict().label()).append("): ").append(r.trajectory()).append('\n');
            }
        }
        md.append('\n');
    }

    private void cells(StringBuilder md) {
        md.append("## 3. Every cell\n\nFinal-window mean ± std over seeds; `formed` is the LM's share of well-formed "
                + "responses (6 symbols, single spaces) over the run.\n\n");
        for (String set : cfg.sets()) {
            Table table = new Table("cells_" + set, List.of("method", "feedback", "sigma", "reward sim", "reward LM",
                    "credit sim", "credit LM", "entropy sim", "entropy LM", "formed"));
            for (CellStats l : lm.cells(set)) {
                RunSpec c = l.cell();
                CellStats s = sim.find(set, r -> r.method() == c.method() && r.feedback() == c.feedback() && r.sigma() == c.sigma())
                        .orElseThrow();
                table.row(List.of(c.method().label(), c.feedback().label(), String.format(Locale.ROOT, "%.2f", c.sigma()),
                        s.reward().format(), l.reward().format(), s.credit().format(), l.credit().format(),
                        s.entropy().format(), l.entropy().format(), String.format(Locale.ROOT, "%.2f", formed(set, c))));
            }
            md.append("### ").append(set).append("\n\n").append(table.markdown()).append('\n');
        }
    }

    private double formed(String set, RunSpec cell) {
        double sum = 0;
        int n = 0;
        for (RunSpec r : outcome.runs()) {
            if (r.cell().equals(cell.cell()) && r.set().equals(set)) {
                for (float x : outcome.wellFormed().get(r.identity())) {
                    sum += x;
                    n++;
                }
            }
        }
        return sum / n;
    }

    /**
     * Reward, entropy and credit curves per method under continuous feedback, and SDPO's under
     * binary (the reward-based methods do not read the feedback): simulator left, LM right.
     */
    private void curves() {
        List<XYChart> charts = new ArrayList<>();
        String[] titles = {"reward", "entropy", "credit corr."};
        for (int metric = 0; metric < 3; metric++) {
            for (SimSummary side : List.of(sim, lm)) {
                String who = side == sim ? "simulator" : "LM";
                // Wide enough for the four series' legend in one row.
                XYChart c = Charts.xy(who + ": " + titles[metric] + " (continuous; dashed: SDPO binary)", "step", titles[metric],
                        3 * Charts.WIDTH / 2);
                for (SimMethod m : ExperimentSets.PAPER_METHODS) {
                    for (FeedbackType f : m.usesTeacher() ? List.of(FeedbackType.CONTINUOUS, FeedbackType.BINARY)
                            : List.of(FeedbackType.CONTINUOUS)) {
                        var cell = side.find("method-feedback", m, f);
                        if (cell.isEmpty()) {
                            continue;
                        }
                        double[] y = metric == 0 ? cell.get().rewardCurve() : metric == 1 ? cell.get().entropyCurve()
                                : cell.get().creditCurve();
                        double[] x = new double[y.length];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = i + 1;
                        }
                        XYSeries s = Charts.line(c, f == FeedbackType.BINARY ? m.label() + " binary" : m.label(), x, y,
                                SimPlots.color(m));
                        if (f == FeedbackType.BINARY) {
                            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
                        }
                    }
                }
                if (c.getSeriesMap().isEmpty()) {
                    Charts.line(c, "no method-feedback set", new double[] {0, 1}, new double[] {0, 0}, Color.GRAY);
                }
                charts.add(c);
            }
        }
        Charts.savePng(dir.resolve("curves.png"), charts, 3, 2);
    }

    private void fitFigure() {
        XYChart c = Charts.xy("learned teacher: KL(analytic || learned) per position (dashed: feedback-blind)", "position",
                "KL (nats)", 2 * Charts.WIDTH);
        Color[] colors = {Color.GRAY, new Color(214, 39, 40), new Color(255, 127, 14), new Color(31, 119, 180), new Color(44, 160, 44)};
        int i = 0;
        for (Map.Entry<String, double[]> e : outcome.fit().kl().entrySet()) {
            double[] x = new double[e.getValue().length];
            for (int t = 0; t < x.length; t++) {
                x[t] = t + 1;
            }
            Color color = colors[i++ % colors.length];
            Charts.line(c, e.getKey(), x, e.getValue(), color);
            if (!e.getKey().equals(TeacherFit.PLAIN)) {
                XYSeries s = Charts.line(c, e.getKey() + " blind", x, outcome.fit().ignoringFeedback().get(e.getKey()), color);
                s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            }
        }
        Charts.savePng(dir.resolve("teacher-fit.png"), List.of(c), 1, 1);
    }

    /** Every run's per-step metrics on both sides, for analyses the report does not make. */
    private void traces() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunSpec r : ExperimentSets.distinct(outcome.runs())) {
            for (String side : List.of("simulator", "lm")) {
                var t = (side.equals("lm") ? outcome.lm() : outcome.sim()).trace(r);
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("side", side);
                row.put("method", r.method().label());
                row.put("feedback", r.feedback().label());
                row.put("sigma", r.sigma());
                row.put("seed", r.seed());
                row.put("reward", t.reward());
                row.put("entropy", t.entropy());
                row.put("credit_corr", t.credit());
                row.put("teacher_kl", t.teacherKl());
                row.put("alpha", t.alpha());
                if (side.equals("lm")) {
                    row.put("well_formed", outcome.wellFormed().get(r.identity()));
                    row.put("first_malformed", outcome.firstMalformed().get(r.identity()));
                }
                rows.add(row);
            }
        }
        try {
            // NaN (a metric a method does not have) is written as the string "NaN", Jackson's default.
            AtomicFiles.writeString(dir.resolve("runs.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(rows));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write runs.json: " + e.getMessage(), e);
        }
    }

    private static String num(double x) {
        return String.format(Locale.ROOT, "%s", x);
    }
}
