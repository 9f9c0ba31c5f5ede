package sdpo4j.bridge;

import ai.djl.ndarray.NDManager;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.Autograd;
import sdpo4j.run.Progress;
import sdpo4j.sim.ExperimentSets;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.Simulation;
import sdpo4j.train.PretrainCorpus;
import sdpo4j.train.Pretrainer;

/**
 * The bridge end to end: pretrain the learned teacher, measure its fit to the analytic one,
 * train the LM policy on every run of the grid, and run the simulator on the same runs.
 */
final class BridgeExperiment {
    /**
     * Everything the report reads.
     *
     * @param runs the grid (every set's runs, shared ones repeated per set)
     * @param fit the learned teacher against the analytic one
     * @param finalPretrainLoss mean loss of the last tenth of pretraining
     * @param lm per-run LM traces
     * @param wellFormed per run identity, the share of well-formed responses per step
     * @param firstMalformed per run identity, its first malformed response ("step N: text") or null
     * @param sim the simulator on the same runs
     * @param seconds wall time per stage: pretrain, fit, lm, sim
     * @param lmPhases thread time of the LM runs per phase (generation, teacher, training, measure)
     * @param reusedFrom the earlier run's model directory the learned teacher came from, or null when pretrained here
     * @param checkpoint whether {@code reusedFrom} is a checkpoint no bridge pretrained, used as it is
     *     ({@code finalPretrainLoss} is then NaN)
     */
    record Outcome(List<RunSpec> runs, TeacherFit fit, double finalPretrainLoss, Path reusedFrom, boolean checkpoint, Simulation.Results lm,
            Map<String, float[]> wellFormed, Map<String, String> firstMalformed, Simulation.Results sim, Map<String, Double> seconds, Map<String, Double> lmPhases) {}

    private BridgeExperiment() {}

    /**
     * @param modelDir where the learned teacher is written
     * @param reuse an earlier bridge run's model directory to use instead of pretraining (its
     *     pretraining settings must equal these), or any supported checkpoint directory (one without
     *     {@value PretrainedTeacher#FILE}: used as it is, not copied, with its own tokenizer and chat
     *     template), or null
     */
    static Outcome run(BridgeConfig cfg, Path modelDir, Path reuse, int threads, PrintStream log) {
        BridgeWorlds worlds = new BridgeWorlds(cfg.world());
        TeacherContexts contexts = new TeacherContexts(
                TeacherContexts.Templates.load(Path.of(cfg.promptsDir()), "sequence-quality"));
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<String, Double> phaseSeconds = new LinkedHashMap<>();
        List<RunSpec> runs = BridgeGrid.runs(cfg);
        TeacherFit fit;
        double finalLoss;
        long t0 = System.nanoTime();
        boolean checkpoint = reuse != null && !PretrainedTeacher.isBridgeModel(reuse);
        Path teacherDir = checkpoint ? reuse : modelDir;
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model;
            double loss;
            if (checkpoint) {
                log.printf(Locale.ROOT, "1/4 the checkpoint in %s is the teacher and the policy as it is: no pretraining and no "
                        + "pretraining check (it is not a bridge's learned teacher)%n", reuse);
                model = HfCheckpoint.load(reuse, m);
                loss = Double.NaN;
            } else if (reuse != null) {
                PretrainedTeacher.check(reuse, cfg);
                log.printf(Locale.ROOT, "1/4 reusing the learned teacher in %s (pretrained with these settings)%n", reuse);
                model = HfCheckpoint.load(reuse, m);
                HfCheckpoint.save(model, modelDir, reuse);
                loss = PretrainedTeacher.finalLoss(reuse);
            } else {
                var shape = cfg.model();
                model = TinyModels.create(modelDir, TinyModels.config("llama", shape.layers(), shape.hidden(), shape.heads(),
                        shape.heads(), 4 * shape.hidden(), 512), cfg.seed(), m);
                loss = pretrain(cfg, model, modelDir, worlds, contexts, m, log);
            }
            if (!checkpoint) {
                PretrainedTeacher.record(modelDir, cfg, loss);
            }
            finalLoss = loss;
            seconds.put("pretrain", (System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            log.printf(Locale.ROOT, "2/4 learned vs analytic teacher on %d fresh judgements per world and feedback type%n",
                    cfg.teacherCheck());
            try (Tokenizer tok = Tokenizer.load(teacherDir, model.config(), cfg.chat().options())) {
                fit = TeacherFit.measure(m, cfg, worlds, contexts, model, tok, cfg.seed());
            }
            seconds.put("fit", (System.nanoTime() - t1) / 1e9);
        }
        long t2 = System.nanoTime();
        List<RunSpec> distinct = ExperimentSets.distinct(runs);
        log.printf(Locale.ROOT, "3/4 the LM as the policy: %d runs x %d steps on %d threads%n", distinct.size(), cfg.steps(), threads);
        Map<String, Simulation.RunTrace> traces = new LinkedHashMap<>();
        Map<String, float[]> wellFormed = new LinkedHashMap<>();
        Map<String, String> malformed = new LinkedHashMap<>();
        LmRun lmRun = new LmRun(cfg, teacherDir, worlds, contexts);
        for (LmRun.Result r : trainAll(cfg, lmRun, distinct, threads)) {
            traces.put(r.run().identity(), r.trace());
            wellFormed.put(r.run().identity(), r.wellFormed());
            malformed.put(r.run().identity(), r.firstMalformed());
        }
        seconds.put("lm", (System.nanoTime() - t2) / 1e9);
        double[] phases = lmRun.phaseSeconds();
        for (int i = 0; i < phases.length; i++) {
            phaseSeconds.put(LmRun.PHASES[i], phases[i]);
        }
        long t3 = System.nanoTime();
        log.printf(Locale.ROOT, "4/4 the simulator on the same runs (%d steps each)%n", cfg.simSteps());
        Simulation.Results sim = Simulation.run(cfg.simulator(), runs, threads, null);
        seconds.put("sim", (System.nanoTime() - t3) / 1e9);
        return new Outcome(runs, fit, finalLoss, reuse, checkpoint, new Simulation.Results(runs, traces), wellFormed, malformed, sim, seconds, phaseSeconds);
    }

    /** Pretrains the learned teacher in place and saves it; returns the mean loss of the last tenth of the steps. */
    private static double pretrain(BridgeConfig cfg, DecoderLM model, Path modelDir, BridgeWorlds worlds, TeacherContexts contexts,
            NDManager m, PrintStream log) {
        try (Tokenizer tok = Tokenizer.load(modelDir, model.config(), cfg.chat().options())) {
            List<PretrainCorpus.Example> corpus = TeacherCorpus.build(m, cfg, worlds, contexts, cfg.seed());
            log.printf(Locale.ROOT, "1/4 pretraining the learned teacher: %d examples over %d worlds, %d steps%n",
                    corpus.size(), cfg.seeds(), cfg.pretrain().steps());
            double[] tail = new double[2];
            int steps = cfg.pretrain().steps();
            try (Progress p = Progress.start("pretrain", steps, 0, true)) {
                int[] step = {0};
                Pretrainer.train(model, tok, corpus, steps, cfg.pretrain().batch(), cfg.pretrain().lr(), cfg.seed(), loss -> {
                    if (++step[0] > steps - Math.max(1, steps / 10)) {
                        tail[0] += loss;
                        tail[1]++;
                    }
                    p.step(String.format(Locale.ROOT, "loss %.3f", loss));
                });
            }
            HfCheckpoint.save(model, modelDir, modelDir);
            return tail[0] / tail[1];
        }
    }

    /** Runs dealt round-robin to worker threads, each with grad mode off outside its recordings. */
    private static List<LmRun.Result> trainAll(BridgeConfig cfg, LmRun lmRun, List<RunSpec> runs, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (NDManager m = NDManager.newBaseManager();
                Progress progress = Progress.start("bridge", (long) runs.size() * cfg.steps(), 0, true)) {
            List<Future<List<LmRun.Result>>> futures = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    Autograd.disableOnThisThread();
                    List<LmRun.Result> mine = new ArrayList<>();
                    for (int i = worker; i < runs.size(); i += threads) {
                        try {
                            mine.add(lmRun.train(m, runs.get(i), () -> progress.step(null)));
                        } catch (RuntimeException e) {
                            throw new IllegalStateException("LM run " + runs.get(i).identity() + " failed: " + e.getMessage(), e);
                        }
                    }
                    return mine;
                }));
            }
            List<LmRun.Result> out = new ArrayList<>();
            for (Future<List<LmRun.Result>> f : futures) {
                out.addAll(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bridge interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
