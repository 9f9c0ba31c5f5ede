package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.CreditCorrelation;
import sdpo4j.optim.Distributions;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.PolicyBatch;
import sdpo4j.optim.Scalars;

/**
 * Runs trained side by side: the policy logits of every run are one tensor {@code [R, T, V]},
 * so rollouts, rewards, feedback and teachers are one pass for all runs, and each method's
 * shared objective is one pass over its contiguous slice of the runs. Runs differ in method,
 * world seed, feedback type, noise, judge bias and regularisers, which are all per-run tensors.
 * The cost of a step is dominated by the number of tensor operations, not their size, which
 * is why runs are batched this way.
 */
public final class Cohort {
    /** Contrastive worlds for Credit are drawn from seeds far from any run's own. */
    static final long CONTRAST_SEED_OFFSET = 1_000_003L;

    private final SimConfig cfg;
    private final List<RunSpec> runs;
    private final List<Slice> slices = new ArrayList<>();

    /** The runs {@code [from, to)} of one method. */
    private record Slice(SimMethod method, int from, int to, NDIndex range, boolean whole) {
        Slice(SimMethod method, int from, int to, int runs) {
            this(method, from, to, new NDIndex(from + ":" + to), from == 0 && to == runs);
        }

        /** This slice of a per-run tensor (leading axis R): a view, or the tensor itself when the slice is every run. */
        NDArray of(NDArray perRun) {
            return whole ? perRun : perRun.get(range);
        }
    }

    /** Runs are reordered by method so that each method's runs form one slice. */
    public Cohort(SimConfig cfg, List<RunSpec> runs) {
        this.cfg = cfg;
        List<RunSpec> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing(RunSpec::method));
        this.runs = List.copyOf(sorted);
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).method() == sorted.get(i).method()) {
                j++;
            }
            slices.add(new Slice(sorted.get(i).method(), i, j, sorted.size()));
            i = j;
        }
    }

    List<RunSpec> runs() {
        return runs;
    }

    public CohortResult train(NDManager parent, IntConsumer onStep) {
        int r = runs.size();
        int t = cfg.world().length();
        int v = cfg.world().vocab();
        int b = cfg.rollouts();
        int steps = cfg.steps();
        float[][] reward = new float[steps][];
        float[][] entropy = new float[steps][];
        float[][] credit = new float[steps][];
        float[][] teacherKl = new float[steps][];
        float[][] alpha = new float[steps][];
        try (NDManager m = parent.newSubManager()) {
            RunRandom random = new RunRandom(runs);
            long[] seeds = runs.stream().mapToLong(RunSpec::seed).toArray();
            World world = new World(m, cfg.world(), seeds);
            // Contrastive worlds for Credit, one per run (only the Credit runs' are read).
            World contrast = slices.stream().anyMatch(sl -> sl.method() == SimMethod.CREDIT)
                    ? new World(m, cfg.world(), Arrays.stream(seeds).map(s -> s + CONTRAST_SEED_OFFSET).toArray())
                    : null;
            double[] bias = runs.stream().mapToDouble(RunSpec::bias).toArray();
            FeedbackType[] types = runs.stream().map(RunSpec::feedback).toArray(FeedbackType[]::new);
            Oracles oracles = new Oracles(m, types,
                    runs.stream().mapToDouble(RunSpec::sigma).toArray(),
                    bias);
            Teachers teachers = new Teachers(m, cfg.beta(), types,
                    runs.stream().mapToDouble(RunSpec::teacherTemperature).toArray());
            NDArray entropyBonus = m.create(PerRun.float32(runs.stream().mapToDouble(RunSpec::entropyBonus).toArray()), new Shape(r));
            List<Objective> objectives = slices.stream()
                    .map(sl -> Objective.create(cfg.objective().withName(sl.method().objective))).toList();

            NDArray logits = m.zeros(new Shape(r, t, v));
            NDArray refLogProbs = Distributions.logSoftmax(logits);
            NDArray refProbs = refLogProbs.exp();
            NDArray mask = m.ones(new Shape(r, b, t));
            NDArray judgeQuality = world.judgeQuality(m.create(PerRun.float32(bias)));
            float[] judge = new float[r];
            for (int i = 0; i < r; i++) {
                judge[i] = runs.get(i).learnFromJudge() || !cfg.baselinesSeeTrueReward() ? 1 : 0;
            }
            NDArray learnFromJudge = m.create(judge, new Shape(r, 1));
            // Eq. 5's q-bar: the position's mean quality over the vocabulary, [R, 1, T].
            NDArray meanQuality = world.quality.mean(new int[] {2}).expandDims(1);
            boolean[] noisy = new boolean[r];
            boolean[] noisyHints = new boolean[r];
            for (int i = 0; i < r; i++) {
                noisy[i] = runs.get(i).sigma() > 0;
                FeedbackType f = runs.get(i).feedback();
                noisyHints[i] = noisy[i] && (f == FeedbackType.CRITIQUE || f == FeedbackType.CRITIQUE_LITERAL);
            }
            // What every step reads of each slice and never changes: taken once, not per step.
            List<SliceConstants> constants = slices.stream().map(sl -> new SliceConstants(sl.of(mask),
                    sl.method().usesTeacher() ? (sl.whole() ? teachers : teachers.slice(sl.from(), sl.to())) : null,
                    sl.of(judgeQuality), sl.method() == SimMethod.CREDIT ? sl.of(contrast.quality) : null)).toList();
            for (int step = 0; step < steps; step++) {
                try (NDScope scope = new NDScope()) {
                    // Rollouts, rewards, feedback and teachers: no gradient.
                    NDArray probs = Distributions.softmax(logits);
                    Rollouts rollouts = world.rollouts(m, random.sample(probs.toFloatArray(), b, t, v), b);
                    NDArray tokens = rollouts.tokens();
                    NDArray score = world.score(rollouts);
                    NDArray trueReward = ai.djl.nn.Activation.sigmoid(score);
                    Feedback feedback = oracles.observe(rollouts, score,
                            random.gaussian(m, noisy, b), random.gaussian(m, noisyHints, b, t));
                    NDArray learnedReward = trueReward.add(feedback.score().sub(trueReward).mul(learnFromJudge));

                    NDArray centredQuality = rollouts.quality().sub(meanQuality);

                    NDArray leaf = logits.duplicate();
                    leaf.setRequiresGradient(true);
                    teacherKl[step] = nan(r);
                    alpha[step] = nan(r);
                    NDArray logProbs;
                    NDArray entropySum;
                    try (Autograd.Recording rec = Autograd.record()) {
                        NDArray loss = null;
                        for (int i = 0; i < slices.size(); i++) {
                            Slice sl = slices.get(i);
                            SliceConstants c = constants.get(i);
                            NDArray slTokens = sl.of(tokens);
                            PolicyBatch.Builder batch = PolicyBatch.builder(sl.of(leaf).expandDims(1),
                                            slTokens, c.mask(), sl.of(learnedReward))
                                    .groupSize(b)
                                    .tokenQuality(sl.of(centredQuality));
                            if (sl.method().usesTeacher()) {
                                // Teachers are built for the runs that distil, from their slice of everything.
                                Feedback slFeedback = new Feedback(sl.of(feedback.score()), sl.of(feedback.hints()));
                                NDArray slLogits = sl.of(logits);
                                // The informative critique reads the policy's probabilities: the sampler's.
                                NDArray slProbs = sl.of(probs);
                                batch.teacher(c.teachers().logits(slLogits, slProbs, c.judgeQuality(), slFeedback, slTokens), null);
                                if (sl.method() == SimMethod.CREDIT) {
                                    // The contrastive teacher: the same feedback read against another world.
                                    batch.contrastive(List.of(c.teachers().logits(
                                            slLogits, slProbs, c.contrastQuality(), slFeedback, slTokens)));
                                }
                            }
                            ObjectiveResult result = objectives.get(i).compute(batch.build());
                            if (sl.method().usesTeacher()) {
                                place(teacherKl[step], sl, teacherKl(result));
                            }
                            if (sl.method() == SimMethod.HYBRID) {
                                place(alpha[step], sl, result.metric("alpha").toFloatArray());
                            }
                            loss = loss == null ? result.loss() : loss.add(result.loss());
                        }
                        logProbs = Distributions.logSoftmax(leaf);
                        // The objectives token-average; the paper's updates sum over positions
                        // (each position has its own logits), hence the factor T.
                        loss = Scalars.mul(loss, t)
                                .add(Scalars.mul(klFromReference(refProbs, refLogProbs, logProbs), cfg.refKl()).sum());
                        // Made after the KL term, as the order of recording decides the order in which the
                        // backward pass adds the two terms' gradients on the log-probs.
                        entropySum = entropyPerRun(logProbs);
                        loss = loss.sub(entropyBonus.mul(entropySum).sum());
                        rec.backward(loss);
                    }
                    NDArray grad = leaf.getGradient();
                    // The policy's log-probs and entropy are those the loss computed (the leaf holds the
                    // logits' values): the same operations on the same numbers, so not computed twice.
                    logProbs = logProbs.stopGradient();
                    NDArray trueAdvantage = CreditCorrelation.trueAdvantage(world.quality, logProbs);
                    credit[step] = CreditCorrelation.perPosition(grad.neg(), trueAdvantage).mean(new int[] {1}).toFloatArray();
                    reward[step] = trueReward.mean(new int[] {1}).toFloatArray();
                    entropy[step] = entropySum.stopGradient().div(t).toFloatArray();
                    logits.subi(grad.mul(cfg.lr()));
                }
                if (onStep != null) {
                    onStep.accept(step);
                }
            }
        }
        return new CohortResult(runs, reward, entropy, credit, teacherKl, alpha);
    }

    /** A slice's per-step constants: its mask, teachers (methods that distil), judge and contrastive quality tables. */
    private record SliceConstants(NDArray mask, Teachers teachers, NDArray judgeQuality, NDArray contrastQuality) {}

    private static void place(float[] perRun, Slice sl, float[] values) {
        System.arraycopy(values, 0, perRun, sl.from(), sl.to() - sl.from());
    }

    private static float[] teacherKl(ObjectiveResult result) {
        return (result.metrics().containsKey("teacher_kl") ? result.metric("teacher_kl") : result.metric("kl")).toFloatArray();
    }

    /**
     * {@code sum_t KL(pi_ref,t || pi_t)} per run: its gradient on the logits is {@code pi - pi_ref}.
     * The reference's probabilities {@code exp(refLogProbs)} are fixed, so they come in computed once.
     */
    private static NDArray klFromReference(NDArray refProbs, NDArray refLogProbs, NDArray logProbs) {
        return refProbs.mul(refLogProbs.sub(logProbs)).sum(new int[] {1, 2});
    }

    /** {@code sum_t H(pi_t)} per run. */
    private static NDArray entropyPerRun(NDArray logProbs) {
        return logProbs.exp().mul(logProbs).sum(new int[] {1, 2}).neg();
    }

    private static float[] nan(int n) {
        float[] x = new float[n];
        Arrays.fill(x, Float.NaN);
        return x;
    }
}
