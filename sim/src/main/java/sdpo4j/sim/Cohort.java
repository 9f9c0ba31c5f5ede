package sdpo4j.sim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.CreditCorrelation;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.PolicyBatch;

/**
 * Runs of one method trained side by side: the policy logits of every run are one tensor
 * {@code [R, T, V]}, so each training step is one pass of the shared objective for all runs.
 * Runs differ in world seed, feedback type, noise, judge bias and regularisers, which are all
 * per-run tensors.
 */
final class Cohort {
    /** Contrastive worlds for Credit are drawn from seeds far from any run's own. */
    static final long CONTRAST_SEED_OFFSET = 1_000_003L;

    private final SimConfig cfg;
    private final SimMethod method;
    private final List<RunSpec> runs;

    Cohort(SimConfig cfg, SimMethod method, List<RunSpec> runs) {
        this.cfg = cfg;
        this.method = method;
        this.runs = List.copyOf(runs);
        for (RunSpec r : runs) {
            if (r.method() != method) {
                throw new IllegalArgumentException("run " + r + " is not a " + method + " run");
            }
        }
    }

    CohortResult train(NDManager parent, IntConsumer onStep) {
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
            World contrast = method == SimMethod.CREDIT
                    ? new World(m, cfg.world(), Arrays.stream(seeds).map(s -> s + CONTRAST_SEED_OFFSET).toArray())
                    : null;
            double[] bias = runs.stream().mapToDouble(RunSpec::bias).toArray();
            FeedbackType[] types = runs.stream().map(RunSpec::feedback).toArray(FeedbackType[]::new);
            Oracles oracles = new Oracles(m, types,
                    runs.stream().mapToDouble(RunSpec::sigma).toArray(),
                    bias);
            Teachers teachers = new Teachers(m, cfg.beta(), types,
                    runs.stream().mapToDouble(RunSpec::teacherTemperature).toArray());
            NDArray entropyBonus = m.create(toFloat(runs.stream().mapToDouble(RunSpec::entropyBonus).toArray()), new Shape(r));
            Objective objective = Objective.create(cfg.objective().withName(method.objective));

            NDArray logits = m.zeros(new Shape(r, t, v));
            NDArray refLogProbs = logits.logSoftmax(-1);
            NDArray mask = m.ones(new Shape(r, b, t));
            NDArray judgeQuality = world.judgeQuality(m.create(toFloat(bias)));
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
            for (int step = 0; step < steps; step++) {
                try (NDScope scope = new NDScope()) {
                    // Rollouts, rewards, feedback and teachers: no gradient.
                    NDArray probs = logits.softmax(-1);
                    NDArray tokens = sample(probs, random.uniform(m, b, t, 1));
                    NDArray score = world.score(tokens);
                    NDArray trueReward = ai.djl.nn.Activation.sigmoid(score);
                    NDArray tokenQuality = world.tokenQuality(tokens);
                    Feedback feedback = oracles.observe(world, tokens, tokenQuality, score,
                            random.gaussian(m, noisy, b), random.gaussian(m, noisyHints, b, t));
                    NDArray learnedReward = trueReward.add(feedback.score().sub(trueReward).mul(learnFromJudge));

                    NDArray teacher = method.usesTeacher()
                            ? teachers.logits(logits, judgeQuality, feedback, tokens) : null;
                    List<NDArray> contrastive = contrast == null
                            ? List.of() : List.of(teachers.logits(logits, contrast.quality, feedback, tokens));
                    NDArray centredQuality = tokenQuality.sub(meanQuality);

                    NDArray leaf = logits.duplicate();
                    leaf.setRequiresGradient(true);
                    ObjectiveResult result;
                    try (Autograd.Recording rec = Autograd.record()) {
                        PolicyBatch batch = PolicyBatch.builder(
                                        leaf.expandDims(1), tokens, mask, learnedReward)
                                .groupSize(b)
                                .tokenQuality(centredQuality)
                                .teacher(teacher, null)
                                .contrastive(contrastive)
                                .build();
                        result = objective.compute(batch);
                        NDArray logProbs = leaf.logSoftmax(-1);
                        // The objectives token-average; the paper's updates sum over positions
                        // (each position has its own logits), hence the factor T.
                        NDArray loss = result.loss().mul(t)
                                .add(klFromReference(refLogProbs, logProbs).mul(cfg.refKl()).sum())
                                .sub(entropyBonus.mul(entropyPerRun(logProbs)).sum());
                        rec.backward(loss);
                    }
                    NDArray grad = leaf.getGradient();
                    NDArray trueAdvantage = CreditCorrelation.trueAdvantage(world.quality, logits.logSoftmax(-1));
                    credit[step] = CreditCorrelation.perPosition(grad.neg(), trueAdvantage).mean(new int[] {1}).toFloatArray();
                    reward[step] = trueReward.mean(new int[] {1}).toFloatArray();
                    entropy[step] = result.metric("entropy").toFloatArray();
                    teacherKl[step] = method.usesTeacher() ? teacherKl(result) : nan(r);
                    alpha[step] = method == SimMethod.HYBRID ? result.metric("alpha").toFloatArray() : nan(r);
                    logits.subi(grad.mul(cfg.lr()));
                }
                if (onStep != null) {
                    onStep.accept(step);
                }
            }
        }
        return new CohortResult(runs, reward, entropy, credit, teacherKl, alpha);
    }

    private static float[] teacherKl(ObjectiveResult result) {
        return (result.metrics().containsKey("teacher_kl") ? result.metric("teacher_kl") : result.metric("kl")).toFloatArray();
    }

    /**
     * Samples from the factored policy {@code [R, T, V]} by inverse CDF, given uniforms
     * {@code [R, B, T, 1]}: tokens {@code [R, B, T]}.
     */
    static NDArray sample(NDArray probs, NDArray uniforms) {
        NDArray cdf = probs.cumSum(2).expandDims(1);
        return uniforms.gt(cdf).toType(DataType.INT64, false).sum(new int[] {3}).minimum(probs.getShape().get(2) - 1);
    }

    /** {@code sum_t KL(pi_ref,t || pi_t)} per run: its gradient on the logits is {@code pi - pi_ref}. */
    private static NDArray klFromReference(NDArray refLogProbs, NDArray logProbs) {
        return refLogProbs.exp().mul(refLogProbs.sub(logProbs)).sum(new int[] {1, 2});
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

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
