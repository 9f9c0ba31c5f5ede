package sdpo4j.bridge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.CreditCorrelation;
import sdpo4j.optim.ParameterUpdate;
import sdpo4j.optim.Sgd;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.Simulation;
import sdpo4j.train.EmaSchedule;
import sdpo4j.train.RolloutGroup;
import sdpo4j.train.SelfDistillationStep;
import sdpo4j.train.StepConfig;
import sdpo4j.train.StepHooks;

/**
 * One cell-seed of the simulator's grid with a language model as the policy: each step samples
 * {@code rollouts} responses to the world's prompt, and the trainer's {@link SelfDistillationStep}
 * (the one {@code train} runs) scores them with the sequence-quality judge, scores the teacher
 * after the prompt plus that feedback, and takes one step of the run's objective. What is the
 * bridge's own: its world and judge, the step's settings (one group, one optimizer step per
 * batch, a constant learning rate, AdamW or plain gradient descent) and {@link Hooks}: the
 * symbol positions train, advantage-weighted reads the world's token quality, and each step is
 * measured as the simulator measures: true reward, policy entropy at the symbol positions,
 * credit-assignment correlation of minus the loss gradient on the logits with
 * {@code q(t, v) - E_pi[q(t, .)]}, and the share of well-formed responses.
 */
final class LmRun {
    /**
     * The simulator's per-step metrics, plus the share of responses that were well-formed and
     * the first malformed response ("step N: text", or null): what the model writes when the
     * format breaks.
     */
    record Result(RunSpec run, Simulation.RunTrace trace, float[] wellFormed, String firstMalformed) {}

    /**
     * Where the LM runs' time goes, summed over all runs and threads (nanoseconds): training is
     * the student's forward and backward and the optimizer step, measure the credit-assignment
     * measurement inside it.
     */
    static final String[] PHASES = {"generation", "teacher", "training", "measure"};

    private final AtomicLongArray nanos = new AtomicLongArray(PHASES.length);
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
            try (Tokenizer tok = Tokenizer.load(model, ModelConfig.read(model), cfg.chat().options())) {
                DecoderLM student = HfCheckpoint.load(model, m);
                DecoderLM teacher = HfCheckpoint.load(model, m);
                ParameterUpdate optimizer = cfg.optimizer() == BridgeConfig.Optimizer.SGD ? new Sgd()
                        : new AdamW(student.parameters(), m, 0.9, 0.999, 1e-8, 0);
                Task task = worlds.task(run.seed());
                SequenceQuality judge = worlds.env(run.feedback(), run.sigma());
                LetterLayout layout = new LetterLayout(tok, cfg.world().vocab(), cfg.world().length());
                Hooks hooks = new Hooks(worlds.world(run.seed()), layout);
                SelfDistillationStep step = new SelfDistillationStep(student, teacher, tok, new FeedbackOnWellFormed(judge),
                        contexts, stepConfig(run), optimizer, hooks);
                // One group, so no draw of a contrastive prompt; no response succeeds, so no draw of a sibling.
                SplittableRandom unused = new SplittableRandom(run.seed());
                for (int s = 0; s < steps; s++) {
                    // Common random numbers: every method of a seed samples step s from the same stream.
                    // A response is exactly as long as T symbols are written (2T - 1 tokens with the
                    // byte-level tokenizer), as the simulator's sequences are exactly T symbols: whether to
                    // stop is not a decision of the simulated task, and left to the policy, SDPO let EOS
                    // erode until most responses ran on past the sixth symbol.
                    SamplingConfig sampling = SamplingConfig.builder().maxNewTokens(layout.responseLength())
                            .seed(run.seed() * 1_000_003L + s * 7919L).build();
                    List<RolloutGroup> groups;
                    long t0 = System.nanoTime();
                    try (NDManager sm = m.newSubManager(); NDScope scope = new NDScope()) {
                        groups = step.rollouts(sm, List.of(task), cfg.rollouts(), sampling);
                    }
                    nanos.addAndGet(0, System.nanoTime() - t0);
                    List<Generation> gens = groups.get(0).responses();
                    for (Generation g : gens) {
                        if (firstMalformed == null && judge.parse(g.text()) == null) {
                            firstMalformed = "step " + (s + 1) + ": " + g.text();
                        }
                    }
                    hooks.sampled(judge, tok, gens);
                    Map<String, Double> metrics;
                    try (NDManager sm = m.newSubManager()) {
                        metrics = step.update(sm, groups, unused).metrics();
                    }
                    double teacherSeconds = metrics.get("teacher_seconds");
                    nanos.addAndGet(1, (long) (teacherSeconds * 1e9));
                    nanos.addAndGet(2, (long) (metrics.get("train_seconds") * 1e9) - hooks.measureNanos);
                    nanos.addAndGet(3, hooks.measureNanos);
                    reward[s] = meanReward(groups.get(0).scores());
                    entropy[s] = hooks.entropy;
                    credit[s] = hooks.credit;
                    // Hybrid's distillation KL is its teacher_kl (its kl is the mix's).
                    teacherKl[s] = !run.method().usesTeacher() ? Float.NaN
                            : metrics.getOrDefault("teacher_kl", metrics.get("kl")).floatValue();
                    alpha[s] = metrics.containsKey("alpha") ? metrics.get("alpha").floatValue() : Float.NaN;
                    wellFormed[s] = hooks.wellFormed;
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

    /**
     * One group of {@code rollouts} per step, one optimizer step at the bridge's constant rate,
     * the teacher moved after it.
     */
    private StepConfig stepConfig(RunSpec run) {
        return new StepConfig(cfg.objective().withName(run.method().objective()), 1, 1, 1, cfg.lr(), 0, cfg.maxGradNorm(),
                cfg.emaRate(), EmaSchedule.OPTIMIZER_STEP, 1.0);
    }

    private static float meanReward(List<Score> scores) {
        float mean = 0;
        for (Score sc : scores) {
            mean += (float) sc.reward() / scores.size();
        }
        return mean;
    }

    /**
     * The judge as the step sees it: a malformed response's feedback is a format complaint the
     * learned teacher was never taught to read (the simulator has no format), so it reaches no
     * teacher; its zero reward still teaches the reward-based objectives the format.
     */
    private record FeedbackOnWellFormed(SequenceQuality judge) implements Environment {
        @Override
        public String name() {
            return judge.name();
        }

        @Override
        public void validate(Task task) {
            judge.validate(task);
        }

        @Override
        public Score score(Task task, String response) {
            Score s = judge.score(task, response);
            return judge.parse(response) == null ? new Score(s.reward(), s.success(), "") : s;
        }
    }

    /**
     * What the bridge adds to the step: the symbol positions of this step's responses (read
     * before the update), the objective's trained positions and token quality from them, and
     * the measurements of the step, taken after the backward. The step is one micro-batch (one
     * group), so every hook sees the whole rollout batch ({@code from} is 0).
     */
    private final class Hooks implements StepHooks {
        private final SequenceWorld world;
        private final LetterLayout layout;
        /** Per response of this step, the token position of each symbol, or null when malformed. */
        private int[][] at;
        private List<long[]> responses;
        float entropy;
        float credit;
        float wellFormed;
        long measureNanos;

        Hooks(SequenceWorld world, LetterLayout layout) {
            this.world = world;
            this.layout = layout;
        }

        /** This step's responses, as the step scores them (an empty one as one pad token). */
        void sampled(SequenceQuality judge, Tokenizer tok, List<Generation> gens) {
            at = new int[gens.size()][];
            responses = new ArrayList<>();
            for (int i = 0; i < gens.size(); i++) {
                Generation g = gens.get(i);
                responses.add(g.tokens().length == 0 ? new long[] {tok.padId()} : g.tokens());
                at[i] = judge.parse(g.text()) == null ? null : layout.positions(g.tokens());
            }
        }

        @Override
        public NDArray trainedPositions(NDManager m, int from, NDArray responseMask) {
            return LmRun.this.trainedPositions(m, responseMask, at);
        }

        @Override
        public NDArray tokenQuality(NDManager m, int from, Shape tokens) {
            return m.create(LmRun.tokenQuality(world, layout, responses, at), tokens);
        }

        @Override
        public void afterBackward(NDManager m, int from, Backward done) {
            long t0 = System.nanoTime();
            float[] direction = done.logitGradient().neg().toFloatArray();
            NDArray logProbs = done.logits().stopGradient().logSoftmax(-1);
            float[] lp = logProbs.toFloatArray();
            float[] tokenEntropy = logProbs.exp().mul(logProbs).sum(new int[] {-1}).neg().toFloatArray();
            Shape shape = done.logits().getShape();
            measure(m, world, layout, at, direction, lp, tokenEntropy, (int) shape.get(1), (int) shape.get(2));
            measureNanos = System.nanoTime() - t0;
        }

        /**
         * Per symbol position t: the update directions of the well-formed responses summed over
         * responses (a factored policy's single logit table receives exactly that sum), against
         * {@code A*(t, .)} under the policy's mean symbol distribution there; entropy of the full
         * distribution at the symbol positions.
         */
        private void measure(NDManager m, SequenceWorld world, LetterLayout layout, int[][] at, float[] direction,
                float[] logProbs, float[] tokenEntropy, int lr, int vocab) {
            int t = world.config().length();
            int v = world.config().vocab();
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
                    long[] letters = layout.letterIds(k);
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
            this.entropy = formed == 0 ? Float.NaN : (float) (entropy / (formed * t));
            this.credit = credit;
            this.wellFormed = formed / (float) at.length;
        }
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
                int sym = layout.symbol(t, responses.get(i)[at[i][t]]);
                out[i * lr + at[i][t]] = (float) (world.quality(t, sym) - mean);
            }
        }
        return out;
    }
}
