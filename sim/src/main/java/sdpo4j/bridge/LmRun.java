package sdpo4j.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.scoring.TeacherForcing;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.CreditCorrelation;
import sdpo4j.optim.EmaTeacher;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.ParameterUpdate;
import sdpo4j.optim.PolicyBatch;
import sdpo4j.optim.Sgd;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.Simulation;
import sdpo4j.train.GradientStep;

/**
 * One cell-seed of the simulator's grid with a language model as the policy, top to bottom:
 * sample {@code rollouts} responses to the world's prompt; the sequence-quality judge scores
 * them and writes feedback; the EMA teacher scores each response after the prompt plus that
 * feedback; the shared objective of the run's method gives the loss; AdamW steps. Measured as
 * the simulator measures: true reward, policy entropy at the symbol positions, credit-assignment
 * correlation of minus the loss gradient on the logits with {@code q(t, v) - E_pi[q(t, .)]}.
 */
final class LmRun {
    /**
     * The simulator's per-step metrics, plus the share of responses that were well-formed and
     * the first malformed response ("step N: text", or null): what the model writes when the
     * format breaks.
     */
    record Result(RunSpec run, Simulation.RunTrace trace, float[] wellFormed, String firstMalformed) {}

    /** Where the LM runs' time goes, summed over all runs and threads (nanoseconds). */
    static final String[] PHASES = {"generation", "teacher", "student", "measure", "update"};

    private final java.util.concurrent.atomic.AtomicLongArray nanos = new java.util.concurrent.atomic.AtomicLongArray(PHASES.length);
    private final BridgeConfig cfg;
    private final Path model;
    private final BridgeWorlds worlds;
    private final TeacherContexts contexts;

    LmRun(BridgeConfig cfg, Path model, BridgeWorlds worlds, TeacherContexts contexts) {
        this.cfg = cfg;
        this.model = model;
        this.worlds = worlds;
        this.contexts = contexts;
    }

    Result train(NDManager parent, RunSpec run, Runnable onStep) {
        int steps = cfg.steps();
        float[] reward = new float[steps];
        float[] entropy = new float[steps];
        float[] credit = new float[steps];
        float[] teacherKl = new float[steps];
        float[] alpha = new float[steps];
        float[] wellFormed = new float[steps];
        String firstMalformed = null;
        try (NDManager m = parent.newSubManager()) {
            DecoderLM student = HfCheckpoint.load(model, m);
            DecoderLM teacher = HfCheckpoint.load(model, m);
            try (Tokenizer tok = Tokenizer.load(model, student.config())) {
                student.parameterList().forEach(p -> p.setRequiresGradient(true));
                ParameterUpdate optimizer = cfg.optimizer() == BridgeConfig.Optimizer.SGD ? new Sgd()
                        : new AdamW(student.parameters(), m, 0.9, 0.999, 1e-8, 0);
                EmaTeacher ema = EmaTeacher.pairing(teacher.parameterList(), student.parameterList());
                Objective objective = Objective.create(cfg.objective().withName(run.method().objective()));
                Task task = worlds.task(run.seed());
                SequenceWorld world = worlds.world(run.seed());
                SequenceQuality env = worlds.env(run.feedback(), run.sigma());
                LetterLayout layout = new LetterLayout(tok, cfg.world().vocab(), cfg.world().length());
                long[] prompt = tok.encodeUserTurn(task.prompt());
                Generator generator = new Generator(student, tok);
                for (int step = 0; step < steps; step++) {
                    try (NDManager sm = m.newSubManager(); NDScope scope = new NDScope()) {
                        // Common random numbers: every method of a seed samples step s from the same stream.
                        // A response is exactly 2T - 1 tokens, as the simulator's sequences are exactly T
                        // symbols: whether to stop is not a decision of the simulated task, and left to the
                        // policy, SDPO let EOS erode until most responses ran on past the sixth symbol.
                        SamplingConfig sampling = SamplingConfig.builder().maxNewTokens(2 * cfg.world().length() - 1)
                                .seed(run.seed() * 1_000_003L + step * 7919L).build();
                        long t0 = System.nanoTime();
                        List<Generation> gens = generator.generate(sm, Collections.nCopies(cfg.rollouts(), prompt), sampling);
                        nanos.addAndGet(0, System.nanoTime() - t0);
                        for (Generation g : gens) {
                            if (firstMalformed == null && env.parse(g.text()) == null) {
                                firstMalformed = "step " + (step + 1) + ": " + g.text();
                            }
                        }
                        Metrics x = update(sm, run, student, teacher, tok, objective, task, world, env, layout, prompt, gens);
                        reward[step] = x.reward;
                        entropy[step] = x.entropy;
                        credit[step] = x.credit;
                        teacherKl[step] = x.teacherKl;
                        alpha[step] = x.alpha;
                        wellFormed[step] = x.wellFormed;
                    }
                    long t0 = System.nanoTime();
                    GradientStep.apply(student, optimizer, cfg.lr(), cfg.maxGradNorm(), 1.0);
                    ema.update(cfg.emaRate());
                    nanos.addAndGet(4, System.nanoTime() - t0);
                    if (onStep != null) {
                        onStep.run();
                    }
                }
            }
        }
        return new Result(run, new Simulation.RunTrace(reward, entropy, credit, teacherKl, alpha), wellFormed, firstMalformed);
    }

    /** Seconds spent in each of {@link #PHASES} so far, over all runs. */
    double[] phaseSeconds() {
        double[] out = new double[PHASES.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = nanos.get(i) / 1e9;
        }
        return out;
    }

    private record Metrics(float reward, float entropy, float credit, float teacherKl, float alpha, float wellFormed) {}

    /** Scores the rollouts, back-propagates the objective into the student and measures the step. */
    private Metrics update(NDManager m, RunSpec run, DecoderLM student, DecoderLM teacher, Tokenizer tok, Objective objective,
            Task task, SequenceWorld world, SequenceQuality env, LetterLayout layout, long[] prompt, List<Generation> gens) {
        int n = gens.size();
        List<long[]> responses = new ArrayList<>();
        List<long[]> teacherContexts = new ArrayList<>();
        float[] rewards = new float[n];
        float[] hasTeacher = new float[n];
        int[][] at = new int[n][];
        for (int i = 0; i < n; i++) {
            Generation g = gens.get(i);
            responses.add(g.tokens().length == 0 ? new long[] {tok.padId()} : g.tokens());
            Score score = env.score(task, g.text());
            rewards[i] = (float) score.reward();
            at[i] = env.parse(g.text()) == null ? null : layout.positions(g.tokens());
            // A malformed response's feedback is a format complaint the learned teacher was never
            // taught to read (the simulator has no format): it gets no teacher.
            hasTeacher[i] = env.parse(g.text()) == null ? 0 : 1;
            if (run.method().usesTeacher()) {
                teacherContexts.add(tok.encodeUserTurn(contexts.render(task.prompt(), new TeacherContexts.Context(null, score.feedback()))));
            }
        }
        long t0 = System.nanoTime();
        NDArray teacherLogits = run.method().usesTeacher()
                ? TeacherForcing.score(teacher, m, teacherContexts, responses, tok.padId()).logits().expandDims(0) : null;
        long t1 = System.nanoTime();
        nanos.addAndGet(1, t1 - t0);
        TeacherForcing.Scored s;
        NDArray mask;
        ObjectiveResult result;
        float[] quality = tokenQuality(world, layout, responses, at);
        try (Autograd.Recording rec = Autograd.record()) {
            s = TeacherForcing.score(student, m, Collections.nCopies(n, prompt), responses, tok.padId());
            mask = trainedPositions(m, s.mask(), at);
            result = objective.compute(batch(m, s.logits().expandDims(0), s, rewards, quality, teacherLogits, hasTeacher, mask));
            rec.backward(result.loss());
        }
        long t2 = System.nanoTime();
        nanos.addAndGet(2, t2 - t1);
        // The update direction on the logits, as the simulator measures it: the same objective
        // on a detached copy of the logits, differentiated there.
        NDArray leaf = s.logits().stopGradient().duplicate();
        leaf.setRequiresGradient(true);
        try (Autograd.Recording rec = Autograd.record()) {
            rec.backward(objective.compute(batch(m, leaf.expandDims(0), s, rewards, quality, teacherLogits, hasTeacher, mask)).loss());
        }
        NDArray logProbs = leaf.stopGradient().logSoftmax(-1);
        float[] direction = leaf.getGradient().neg().toFloatArray();
        float[] lp = logProbs.toFloatArray();
        float[] tokenEntropy = logProbs.exp().mul(logProbs).sum(new int[] {-1}).neg().toFloatArray();
        float kl = run.method().usesTeacher() ? metric(result, result.metrics().containsKey("teacher_kl") ? "teacher_kl" : "kl")
                : Float.NaN;
        float a = result.metrics().containsKey("alpha") ? metric(result, "alpha") : Float.NaN;
        float meanReward = 0;
        for (float r : rewards) {
            meanReward += r / n;
        }
        int lr = (int) s.tokens().getShape().get(1);
        int vocab = (int) s.logits().getShape().get(2);
        Metrics out = measure(m, world, layout, at, direction, lp, tokenEntropy, lr, vocab, meanReward, kl, a);
        nanos.addAndGet(3, System.nanoTime() - t2);
        return out;
    }

    private PolicyBatch batch(NDManager m, NDArray studentLogits, TeacherForcing.Scored s, float[] rewards, float[] quality,
            NDArray teacherLogits, float[] hasTeacher, NDArray mask) {
        int n = rewards.length;
        Shape tokens = s.tokens().getShape();
        PolicyBatch.Builder b = PolicyBatch.builder(studentLogits, s.tokens().expandDims(0), mask.expandDims(0),
                        m.create(rewards, new Shape(1, n)))
                .groupSize(n)
                .tokenQuality(m.create(quality, new Shape(1, tokens.get(0), tokens.get(1))));
        if (teacherLogits != null) {
            b.teacher(teacherLogits, m.create(hasTeacher, new Shape(1, n)));
        }
        return b.build();
    }

    /**
     * The positions the objective trains. With {@code symbol-positions-only}, a well-formed
     * response trains its symbol positions alone, the simulator's decisions: its spaces and EOS
     * are format the simulator does not have. A malformed response keeps every position, so the
     * reward-based objectives still learn the format from its zero reward.
     */
    private NDArray trainedPositions(NDManager m, NDArray responseMask, int[][] at) {
        if (!cfg.symbolPositionsOnly()) {
            return responseMask;
        }
        float[] mask = responseMask.toFloatArray();
        int lr = (int) responseMask.getShape().get(1);
        for (int i = 0; i < at.length; i++) {
            if (at[i] != null) {
                java.util.Arrays.fill(mask, i * lr, (i + 1) * lr, 0);
                for (int p : at[i]) {
                    mask[i * lr + p] = 1;
                }
            }
        }
        return m.create(mask, responseMask.getShape());
    }

    /** Advantage-weighted's input: {@code q(t, s_t) - mean_v q(t, v)} at the symbol positions, 0 elsewhere. */
    private static float[] tokenQuality(SequenceWorld world, LetterLayout layout, List<long[]> responses, int[][] at) {
        int n = responses.size();
        int lr = responses.stream().mapToInt(r -> r.length).max().orElse(1);
        int v = world.config().vocab();
        float[] out = new float[n * lr];
        for (int i = 0; i < n; i++) {
            if (at[i] == null) {
                continue;
            }
            for (int t = 0; t < at[i].length; t++) {
                double mean = 0;
                for (int j = 0; j < v; j++) {
                    mean += world.quality(t, j) / v;
                }
                int sym = layout.symbol(responses.get(i)[at[i][t]]);
                out[i * lr + at[i][t]] = (float) (world.quality(t, sym) - mean);
            }
        }
        return out;
    }

    /**
     * Per symbol position t: the update directions of the well-formed responses summed over
     * responses (a factored policy's single logit table receives exactly that sum), against
     * {@code A*(t, .)} under the policy's mean symbol distribution there; entropy of the full
     * distribution at the symbol positions.
     */
    private static Metrics measure(NDManager m, SequenceWorld world, LetterLayout layout, int[][] at, float[] direction,
            float[] logProbs, float[] tokenEntropy, int lr, int vocab, float reward, float kl, float alpha) {
        int t = world.config().length();
        int v = world.config().vocab();
        long[] letters = layout.letterIds();
        float[] dir = new float[t * v];
        float[] pi = new float[t * v];
        float[] quality = new float[t * v];
        double entropy = 0;
        int formed = 0;
        for (int i = 0; i < at.length; i++) {
            if (at[i] == null) {
                continue;
            }
            formed++;
            for (int k = 0; k < t; k++) {
                int row = (i * lr + at[i][k]) * vocab;
                double mass = 0;
                for (int j = 0; j < v; j++) {
                    mass += Math.exp(logProbs[row + (int) letters[j]]);
                }
                for (int j = 0; j < v; j++) {
                    dir[k * v + j] += direction[row + (int) letters[j]];
                    pi[k * v + j] += (float) (Math.exp(logProbs[row + (int) letters[j]]) / mass);
                }
                entropy += tokenEntropy[i * lr + at[i][k]];
            }
        }
        for (int k = 0; k < t; k++) {
            for (int j = 0; j < v; j++) {
                quality[k * v + j] = (float) world.quality(k, j);
                pi[k * v + j] = formed == 0 ? 1f / v : pi[k * v + j] / formed;
            }
        }
        float credit = Float.NaN;
        if (formed > 0) {
            NDArray advantage = CreditCorrelation.trueAdvantage(m.create(quality, new Shape(t, v)),
                    m.create(pi, new Shape(t, v)).log());
            credit = CreditCorrelation.perPosition(m.create(dir, new Shape(t, v)), advantage).mean().getFloat();
        }
        return new Metrics(reward, formed == 0 ? Float.NaN : (float) (entropy / (formed * t)), credit, kl, alpha,
                formed / (float) at.length);
    }

    private static float metric(ObjectiveResult r, String name) {
        return r.metric(name).mean().getFloat();
    }
}
