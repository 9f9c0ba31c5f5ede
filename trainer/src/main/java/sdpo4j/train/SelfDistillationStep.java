package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.scoring.SharedContextScoring;
import sdpo4j.lm.scoring.TeacherForcing;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.ParameterUpdate;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.BatchTotals;
import sdpo4j.optim.Distributions;
import sdpo4j.optim.EmaTeacher;
import sdpo4j.optim.Grpo;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.PolicyBatch;
import sdpo4j.optim.Scalars;

/**
 * One rollout batch of SDPO, Credit or GRPO on a causal LM (SPEC 3-5), read top to bottom:
 * sample G responses per prompt and score them ({@link #rollouts}); build teacher contexts and
 * Credit's contrastive contexts ({@link #examples}); then for each mini-batch of whole groups,
 * accumulate over micro-batches (or chunks of one, {@code memory.response-chunk}): score under the EMA teacher without gradient, under the
 * student with gradient, compute the shared objective and back-propagate it weighted by its
 * share; then average, clip, take one optimizer step and move the teacher.
 *
 * <p>{@code train}, {@code compare} and the bridge all run this step: the bridge with its own
 * {@link StepConfig} (one group, one step, AdamW or plain gradient descent) and {@link StepHooks}
 * (its symbol positions, token quality and measurements).
 */
public final class SelfDistillationStep {
    private final DecoderLM student;
    private final DecoderLM teacher;
    private final Tokenizer tokenizer;
    private final Environment env;
    private final TeacherContexts contexts;
    private final StepConfig cfg;
    private final Objective objective;
    private final ParameterUpdate optimizer;
    private final StepHooks hooks;
    private final EmaTeacher ema;
    private Double poison;

    /** Metrics of one rollout batch's update, and the examples it trained on (for the completions log). */
    public record Update(Map<String, Double> metrics, List<TrainingExample> examples) {}

    /** The step of a fine-tuning run: its settings, AdamW, no hooks. */
    public SelfDistillationStep(DecoderLM student, DecoderLM teacher, Tokenizer tokenizer, Environment env,
            TeacherContexts contexts, TrainConfig cfg, AdamW adam) {
        this(student, teacher, tokenizer, env, contexts, StepConfig.of(cfg), adam, StepHooks.NONE);
    }

    public SelfDistillationStep(DecoderLM student, DecoderLM teacher, Tokenizer tokenizer, Environment env,
            TeacherContexts contexts, StepConfig cfg, ParameterUpdate optimizer, StepHooks hooks) {
        this.student = student;
        this.teacher = teacher;
        this.tokenizer = tokenizer;
        this.env = env;
        this.contexts = contexts;
        this.cfg = cfg;
        this.objective = Objective.create(cfg.objective());
        this.optimizer = optimizer;
        this.hooks = hooks;
        // The bridge and test-time discovery build steps without a TrainConfig: the same refusal here.
        DegenerateSettings.refuseMovingReference(cfg.objective(), cfg.teacherKind(), cfg.emaRate());
        this.ema = EmaTeacher.pairing(teacher.trainableList(), student.trainableList());
        for (NDArray p : student.trainableList()) {
            p.setRequiresGradient(true);
        }
    }

    /** The prompt ids a model sees for a user turn (through the chat template). */
    long[] promptIds(String userTurn) {
        return tokenizer.encodeUserTurn(userTurn);
    }

    /**
     * A teacher context's ids: its conversation (a multi-turn task's earlier turns, then the
     * rewritten user turn) through the chat template, cut to {@code reprompt.max-reprompt-len}
     * (a cut at the end keeps the generation prompt).
     */
    private long[] teacherIds(List<ChatTemplate.Message> teacherConversation) {
        long[] ids = tokenizer.encodeConversation(teacherConversation);
        return contexts.fit(ids, () -> tokenizer.generationPromptLength(teacherConversation, ids));
    }

    /** Samples and scores G responses for each task, without gradient. */
    public List<RolloutGroup> rollouts(NDManager m, List<Task> tasks, int groupSize, SamplingConfig sampling) {
        List<long[]> prompts = new ArrayList<>();
        for (Task t : tasks) {
            long[] ids = tokenizer.encodeConversation(t.conversation());
            for (int g = 0; g < groupSize; g++) {
                prompts.add(ids);
            }
        }
        List<Generation> gens = new Generator(student, tokenizer).generate(m, prompts, sampling);
        List<RolloutGroup> groups = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            groups.add(scored(env, tasks.get(i), prompts.get(i * groupSize), gens.subList(i * groupSize, (i + 1) * groupSize)));
        }
        return groups;
    }

    /** The group of {@code responses} to {@code task} (sampled from {@code promptIds}), each scored by {@code env}. */
    public static RolloutGroup scored(Environment env, Task task, long[] promptIds, List<Generation> responses) {
        List<Score> scores = new ArrayList<>();
        for (Generation g : responses) {
            scores.add(env.score(task, g.text()));
        }
        return new RolloutGroup(task, promptIds, responses, scores);
    }

    /**
     * Teacher and contrastive contexts for every response, group after group. Each of Credit's
     * responses draws its own C contrastive prompts: distinct, uniformly among the batch's other
     * prompts, never its own (SPEC 4).
     */
    List<TrainingExample> examples(List<RolloutGroup> groups, SplittableRandom rng) {
        List<TrainingExample> out = new ArrayList<>();
        boolean contrasts = cfg.objective().name() == ObjectiveKind.CREDIT;
        // A group's contexts repeat (one sibling's solution for many responses, the same feedback
        // on the same wrong answer): each distinct one goes through the chat template and the
        // tokenizer once.
        Map<List<ChatTemplate.Message>, long[]> encoded = new HashMap<>();
        // The solutions shown, as plain text ids (the demonstration-overlap metric reads them).
        Map<String, long[]> shown = new HashMap<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            RolloutGroup group = groups.get(gi);
            List<TeacherContexts.Rollout> rollouts = new ArrayList<>();
            for (int j = 0; j < group.responses().size(); j++) {
                rollouts.add(new TeacherContexts.Rollout(group.responses().get(j).text(), group.scores().get(j)));
            }
            // Objectives without a teacher skip building (and tokenizing) the contexts.
            List<Optional<TeacherContexts.Context>> ctx = distils() ? contexts.build(rollouts, rng)
                    : java.util.Collections.nCopies(rollouts.size(), Optional.empty());
            if (!contrasts && groups.size() > 1) {
                // The draw Credit once made per group, kept for the other objectives: it moves the
                // random stream the next group's sibling choices read, and their runs stay as they were.
                rng.nextInt(groups.size() - 1);
            }
            for (int j = 0; j < group.responses().size(); j++) {
                long[] response = group.responses().get(j).tokens();
                response = response.length == 0 ? new long[] {tokenizer.padId()} : response;
                float reward = (float) group.scores().get(j).reward();
                boolean truncated = "length".equals(group.responses().get(j).finishReason());
                if (ctx.get(j).isPresent()) {
                    TeacherContexts.Context c = ctx.get(j).get();
                    long[] teacherContext = encoded.computeIfAbsent(contexts.conversation(group.task(), c), this::teacherIds);
                    // Only Credit reads contrastive contexts; each costs a render and a tokenization.
                    List<long[]> contrastContexts = new ArrayList<>();
                    if (contrasts) {
                        for (int other : otherPrompts(gi, groups.size(), cfg.objective().contrastPrompts(), rng)) {
                            contrastContexts.add(encoded.computeIfAbsent(
                                    contexts.conversation(groups.get(other).task(), c), this::teacherIds));
                        }
                    }
                    double overlap = c.solution() == null ? Double.NaN : DemoOverlap.of(
                            tokenizer.encode(group.responses().get(j).text()), shown.computeIfAbsent(c.solution(), tokenizer::encode));
                    out.add(new TrainingExample(group.promptIds(), teacherContext, contrastContexts, response, reward, true,
                            c.feedback() != null, overlap, truncated));
                } else {
                    // No teacher: masked out of the distillation mean; any context will do.
                    out.add(new TrainingExample(group.promptIds(), group.promptIds(), List.of(), response, reward,
                            false, false, Double.NaN, truncated));
                }
            }
        }
        return out;
    }

    /**
     * {@code count} distinct indices among {@code 0..prompts-1} other than {@code own}, uniformly
     * (a partial Fisher-Yates shuffle of the others).
     */
    static int[] otherPrompts(int own, int prompts, int count, SplittableRandom rng) {
        if (count > prompts - 1) {
            throw new IllegalArgumentException("credit contrasts each response with " + count + " other prompts; the batch has "
                    + (prompts - 1) + " (objective.contrast-prompts is at most prompts - 1)");
        }
        int[] others = new int[prompts - 1];
        for (int i = 0, o = 0; i < prompts; i++) {
            if (i != own) {
                others[o++] = i;
            }
        }
        for (int k = 0; k < count; k++) {
            int pick = k + rng.nextInt(others.length - k);
            int kept = others[k];
            others[k] = others[pick];
            others[pick] = kept;
        }
        return Arrays.copyOf(others, count);
    }

    /**
     * All optimizer steps of one rollout batch. Returns the step's metrics: the objective's,
     * averaged over micro-batches by their weight (the distillation metrics by their responses
     * with a teacher), plus grad norm, learning rate, teacher and feedback fractions, the
     * mini-batches that had nothing to distil (sdpo and credit) and the time spent in teacher
     * scoring and training.
     *
     * @throws TrainingException when a loss or the gradient norm is not finite; the model is
     *     then untouched by this mini-batch's update
     */
    public Update update(NDManager manager, List<RolloutGroup> groups, SplittableRandom rng) {
        int g = groups.get(0).responses().size();
        List<TrainingExample> all = examples(groups, rng);
        boolean offPolicy = cfg.optimizerStepsPerRollout() > 1;
        List<float[]> old = offPolicy ? oldLogProbs(manager, all) : null;
        Accumulator acc = new Accumulator();
        int perStep = cfg.promptsPerOptimizerStep() * g;
        int perPass = cfg.responsesPerPass(g);
        int skipped = 0;
        for (int start = 0; start < all.size(); start += perStep) {
            int end = Math.min(all.size(), start + perStep);
            List<TrainingExample> mini = all.subList(start, end);
            BatchTotals totals = end - start > perPass ? totals(mini, cfg.maskTruncatedCompletions()) : null;
            // A pass that splits a group cannot normalise the group's rewards itself.
            float[] advantages = perPass % g != 0 ? groupAdvantages(manager, mini, g) : null;
            double weightSum = 0;
            for (int ms = start; ms < end; ms += perPass) {
                int me = Math.min(end, ms + perPass);
                weightSum += microBatch(manager, ms, all.subList(ms, me), old == null ? null : old.subList(ms, me),
                        advantages == null ? null : Arrays.copyOfRange(advantages, ms - start, me - start), g, totals, acc);
            }
            if ((onlyDistils() && mini.stream().noneMatch(TrainingExample::hasTeacher)) || weightSum == 0) {
                // Nothing to distil (or, for rft, no success to imitate; or every response masked as
                // truncated): the gradients are zero, and a step would still move the weights by
                // AdamW's momentum and decay and count towards the warm-up.
                Autograd.zeroGradients(student.trainableList());
                acc.add("grad_norm", 0.0, 1);
                skipped++;
                continue;
            }
            long t0 = System.nanoTime();
            acc.add("grad_norm", optimizerStep(weightSum), 1);
            if (cfg.emaSchedule() == EmaSchedule.OPTIMIZER_STEP && optimizer.steps() % cfg.teacherSyncSteps() == 0) {
                syncTeacher();
            }
            acc.trainSeconds += (System.nanoTime() - t0) / 1e9;
        }
        if (cfg.emaSchedule() == EmaSchedule.ROLLOUT_BATCH && skipped < cfg.optimizerStepsPerRollout()) {
            syncTeacher();
        }
        Map<String, Double> metrics = acc.means();
        long teachers = all.stream().filter(TrainingExample::hasTeacher).count();
        metrics.put("teacher_frac", teachers / (double) all.size());
        metrics.put("feedback_used_frac", all.stream().filter(TrainingExample::usedFeedback).count() / (double) all.size());
        all.stream().mapToDouble(TrainingExample::demoOverlap).filter(v -> !Double.isNaN(v)).average()
                .ifPresent(v -> metrics.put("demo_overlap", v));
        if (onlyDistils() || onlySuccesses()) {
            metrics.put("skipped_updates", (double) skipped);
        }
        metrics.put("learning_rate", cfg.learningRate(optimizer.steps()));
        metrics.put("teacher_seconds", acc.teacherSeconds);
        metrics.put("train_seconds", acc.trainSeconds);
        return new Update(metrics, all);
    }

    /** Moves the teacher's weights toward the student's as the teacher kind says (base and trust-region: never). */
    private void syncTeacher() {
        double rate = cfg.teacherKind().weightRate(cfg.emaRate());
        if (rate > 0) {
            ema.update(rate);
        }
    }

    /** Whether the objective learns from successful rollouts only (rft): no success, no step. */
    private boolean onlySuccesses() {
        return cfg.objective().name() == ObjectiveKind.RFT;
    }

    /** Whether the objective reads a teacher (advantage-weighted reads token quality instead). */
    private boolean distils() {
        ObjectiveKind kind = cfg.objective().effective().name();
        return kind == ObjectiveKind.SDPO || kind == ObjectiveKind.CREDIT || kind == ObjectiveKind.HYBRID;
    }

    /** Whether the teacher is the objective's only signal (hybrid also has its fallback's). */
    private boolean onlyDistils() {
        ObjectiveKind kind = cfg.objective().effective().name();
        return kind == ObjectiveKind.SDPO || kind == ObjectiveKind.CREDIT;
    }

    /**
     * What the objectives of a mini-batch split into several micro-batches read of the whole of
     * it. Tokens are the trained responses' lengths, the mask the step builds; a hook that trains other
     * positions ({@link StepHooks#trainedPositions}, the bridge's) runs one micro-batch, without totals.
     */
    private static BatchTotals totals(List<TrainingExample> mini, boolean maskTruncated) {
        double teachers = 0;
        double tokens = 0;
        double rewards = 0;
        for (TrainingExample x : mini) {
            boolean trained = x.trained(maskTruncated);
            teachers += x.hasTeacher() && trained ? 1 : 0;
            tokens += trained ? x.response().length : 0;
            rewards += x.reward();
        }
        return new BatchTotals(mini.size(), teachers, tokens, rewards / mini.size());
    }

    /**
     * GRPO's group-normalised advantages of a mini-batch's responses (whole groups of {@code g}),
     * for passes that hold part of a group ({@code memory.response-chunk}).
     */
    private float[] groupAdvantages(NDManager manager, List<TrainingExample> mini, int g) {
        float[] rewards = new float[mini.size()];
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] = mini.get(i).reward();
        }
        try (NDManager m = manager.newSubManager()) {
            return Grpo.groupAdvantage(m.create(rewards, new Shape(1, rewards.length)), g, cfg.objective().grpo().scaleStd())
                    .toFloatArray();
        }
    }

    /**
     * Forward/backward of one pass (a micro-batch, or a chunk of one), responses {@code from} on
     * of the rollout batch; returns its weight (the objective's denominator). {@code advantages}:
     * GRPO's, when the pass splits a group; else null.
     */
    private double microBatch(NDManager manager, int from, List<TrainingExample> xs, List<float[]> old, float[] advantages,
            int g, BatchTotals totals, Accumulator acc) {
        boolean distils = distils();
        boolean contrasts = cfg.objective().name() == ObjectiveKind.CREDIT;
        int n = xs.size();
        List<long[]> responses = new ArrayList<>();
        float[] rewards = new float[n];
        float[] hasTeacher = new float[n];
        // mask-truncated-completions: a response cut at max-new-tokens keeps its reward (its group's
        // advantages read it) but no position of it reaches the loss, nor does its teacher.
        float[] trained = new float[n];
        int teachers = 0;
        for (int i = 0; i < n; i++) {
            responses.add(xs.get(i).response());
            rewards[i] = xs.get(i).reward();
            trained[i] = xs.get(i).trained(cfg.maskTruncatedCompletions()) ? 1 : 0;
            hasTeacher[i] = xs.get(i).hasTeacher() ? trained[i] : 0;
            teachers += (int) hasTeacher[i];
        }
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
            long t0 = System.nanoTime();
            NDArray teacherLogits = null;
            List<NDArray> contrastLogits = List.of();
            if (distils) {
                // Credit's contrastive contexts go through the same call: one pass over every
                // distinct context and one response pass instead of 1 + C of each.
                List<Function<TrainingExample, long[]>> contextsOf = new ArrayList<>();
                contextsOf.add(TrainingExample::teacherContext);
                for (int k = 0; contrasts && k < cfg.objective().contrastPrompts(); k++) {
                    int c = k;
                    contextsOf.add(x -> x.contrastContexts().get(c));
                }
                List<NDArray> logits = taughtLogits(m, xs, contextsOf);
                teacherLogits = logits.get(0);
                contrastLogits = logits.subList(1, logits.size());
            }
            // GRPO's KL reference is the frozen teacher (DegenerateSettings.refuseMovingReference).
            NDArray reference = DegenerateSettings.readsReference(cfg.objective()) ? tokenLogProbs(teacher, m, xs) : null;
            long t1 = System.nanoTime();
            TeacherForcing.Scored s;
            PolicyBatch batch;
            ObjectiveResult result;
            double weight;
            try (Autograd.Recording rec = Autograd.record()) {
                s = TeacherForcing.score(student, m, contexts(xs), responses, tokenizer.padId());
                PolicyBatch.Builder b = PolicyBatch.builder(s.logits().expandDims(0), s.tokens().expandDims(0),
                        hooks.trainedPositions(m, from, s.mask().mul(m.create(trained, new Shape(n, 1)))).expandDims(0),
                        m.create(rewards, new Shape(1, n)))
                        .groupSize(advantages == null ? g : 1).totals(totals);
                if (advantages != null) {
                    b.advantages(m.create(advantages, new Shape(1, n)));
                }
                NDArray quality = hooks.tokenQuality(m, from, s.tokens().getShape());
                if (quality != null) {
                    b.tokenQuality(quality.expandDims(0));
                }
                if (teacherLogits != null) {
                    b.teacher(teacherLogits.expandDims(0), m.create(hasTeacher, new Shape(1, n)));
                }
                if (!contrastLogits.isEmpty()) {
                    List<NDArray> contrastive = new ArrayList<>();
                    contrastLogits.forEach(c -> contrastive.add(c.expandDims(0)));
                    b.contrastive(contrastive);
                }
                if (reference != null) {
                    b.refLogProbs(reference.expandDims(0));
                }
                if (old != null) {
                    b.oldLogProbs(padded(m, old, s.tokens().getShape()).expandDims(0));
                }
                batch = b.build();
                result = objective.compute(batch);
                NDArray lossArray = poison == null ? result.loss() : Scalars.add(result.loss(), poison);
                poison = null;
                double loss = lossArray.toType(DataType.FLOAT64, false).getDouble();
                if (!Double.isFinite(loss)) {
                    throw new TrainingException("loss is " + loss);
                }
                weight = result.weight().toType(DataType.FLOAT64, false).getDouble();
                // Weighted so that the accumulated gradient over micro-batches, divided by the
                // summed weight, is the gradient of the whole mini-batch's mean loss.
                rec.backward(Scalars.mul(lossArray, weight));
            }
            hooks.afterBackward(m, from, new StepHooks.Backward(s.logits(), batch, result, objective));
            double taught = teachers;
            result.meanMetrics().forEach((k, v) -> acc.add(k, v, metricWeight(k, weight, taught, n)));
            acc.teacherSeconds += (t1 - t0) / 1e9;
            acc.trainSeconds += (System.nanoTime() - t1) / 1e9;
            return weight;
        }
    }

    /**
     * How much a micro-batch's metric counts in the step's mean: the loss by the objective's
     * weight; the distillation metrics, means over the responses with a teacher, by those (a
     * micro-batch without any would pull them towards 0); the rest by responses.
     */
    private static double metricWeight(String metric, double weight, double teachers, int responses) {
        return switch (metric) {
            case "loss" -> weight;
            case "kl", "credit_signal" -> teachers;
            default -> responses;
        };
    }

    /**
     * The teacher's logits {@code [n, Lr, V]} (its kind's: {@link TeacherKind}) for the responses that have a teacher, under
     * each of {@code contextsOf} (one result each, scored in one call); zeros for the responses
     * without a teacher. The objectives mask those out (has-teacher 0), so scoring them (under
     * the bare prompt) would be work thrown away: a quarter of the teacher's contexts in a batch
     * of the built-in arithmetic run.
     */
    List<NDArray> taughtLogits(NDManager m, List<TrainingExample> xs, List<Function<TrainingExample, long[]>> contextsOf) {
        int n = xs.size();
        int width = 1;
        List<Integer> taught = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            width = Math.max(width, xs.get(i).response().length);
            if (xs.get(i).hasTeacher()) {
                taught.add(i);
            }
        }
        int k = taught.size();
        long vocab = teacher.config().vocabSize();
        List<NDArray> out = new ArrayList<>();
        if (k == 0) {
            for (int p = 0; p < contextsOf.size(); p++) {
                out.add(m.zeros(new Shape(n, width, vocab)));
            }
            return out;
        }
        List<long[]> contexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        for (Function<TrainingExample, long[]> contextOf : contextsOf) {
            for (int i : taught) {
                contexts.add(contextOf.apply(xs.get(i)));
                responses.add(xs.get(i).response());
            }
        }
        NDArray all = SharedContextScoring.score(teacher, m, contexts, responses, tokenizer.padId()).logits();
        if (cfg.teacherKind() == TeacherKind.TRUST_REGION) {
            // The teacher model is the frozen initial one (the reference); the current student, on the
            // same teacher contexts and without gradient, pulls its logits r of the way.
            NDArray live = SharedContextScoring.score(student, m, contexts, responses, tokenizer.padId()).logits();
            NDArray ref = all.toType(DataType.FLOAT32, false);
            all = ref.add(live.toType(DataType.FLOAT32, false).sub(ref).mul(cfg.emaRate()));
        }
        long allWidth = all.getShape().get(1);
        if (allWidth < width) {
            // The longest response of the micro-batch has no teacher.
            all = all.concat(m.zeros(new Shape(all.getShape().get(0), width - allWidth, vocab)), 1);
        }
        // Row k of each part is the zero row every response without a teacher reads.
        long[] rowOf = new long[n];
        Arrays.fill(rowOf, k);
        for (int r = 0; r < k; r++) {
            rowOf[taught.get(r)] = r;
        }
        NDArray index = m.create(rowOf);
        NDArray zero = m.zeros(new Shape(1, width, vocab));
        for (int p = 0; p < contextsOf.size(); p++) {
            NDArray part = all.get(new NDIndex("{}:{}", (long) p * k, (long) (p + 1) * k));
            out.add(k == n ? part : part.concat(zero, 0).get(new NDIndex("{}", index)));
        }
        return out;
    }

    /** Fault injection for tests: the next micro-batch's loss gets {@code value} added. */
    void poisonNextLoss(double value) {
        this.poison = value;
    }

    /** Averages the accumulated gradients, clips, steps the optimizer and zeroes them; returns the norm before clipping. */
    private double optimizerStep(double weightSum) {
        return GradientStep.apply(student, optimizer, cfg.learningRate(optimizer.steps() + 1), cfg.maxGradNorm(), weightSum);
    }

    /**
     * The behaviour policy's log-probs of the sampled tokens at the rollout temperature, taken
     * before the first optimizer step of the batch: the importance-ratio denominator of the
     * later, off-policy steps. Teacher-forced (not the sampler's log-probs) so that the first
     * step's ratio is exactly 1.
     */
    private List<float[]> oldLogProbs(NDManager manager, List<TrainingExample> all) {
        List<float[]> out = new ArrayList<>();
        int perPass = cfg.responsesPerPass(Math.max(1, all.size() / cfg.prompts()));
        for (int ms = 0; ms < all.size(); ms += perPass) {
            List<TrainingExample> xs = all.subList(ms, Math.min(all.size(), ms + perPass));
            try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                NDArray lp = tokenLogProbs(student, m, xs);
                int width = (int) lp.getShape().get(1);
                float[] flat = lp.toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < xs.size(); i++) {
                    float[] row = new float[width];
                    System.arraycopy(flat, i * width, row, 0, width);
                    out.add(row);
                }
            }
        }
        return out;
    }

    /**
     * {@code model}'s log-probs {@code [n, L]} of the sampled tokens after the student's contexts,
     * at the rollout temperature, without gradient.
     */
    private NDArray tokenLogProbs(DecoderLM model, NDManager m, List<TrainingExample> xs) {
        List<long[]> responses = new ArrayList<>();
        xs.forEach(x -> responses.add(x.response()));
        TeacherForcing.Scored s = TeacherForcing.score(model, m, contexts(xs), responses, tokenizer.padId());
        return Distributions.pick(Distributions.logSoftmax(s.logits(), cfg.temperature()), s.tokens());
    }

    private static List<long[]> contexts(List<TrainingExample> xs) {
        List<long[]> c = new ArrayList<>();
        xs.forEach(x -> c.add(x.studentContext()));
        return c;
    }

    /** Rows of old log-probs, cut or zero-padded to this micro-batch's response width. */
    private static NDArray padded(NDManager m, List<float[]> rows, Shape shape) {
        int width = (int) shape.get(1);
        float[] flat = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * width, Math.min(width, rows.get(i).length));
        }
        return m.create(flat, new Shape(rows.size(), width));
    }

    /** Weighted means of metrics across micro-batches, and time totals. */
    private static final class Accumulator {
        private final Map<String, double[]> sums = new LinkedHashMap<>();
        double teacherSeconds;
        double trainSeconds;

        void add(String key, double value, double weight) {
            double[] s = sums.computeIfAbsent(key, k -> new double[2]);
            s[0] += value * weight;
            s[1] += weight;
        }

        Map<String, Double> means() {
            Map<String, Double> out = new LinkedHashMap<>();
            sums.forEach((k, s) -> out.put(k, s[1] > 0 ? s[0] / s[1] : 0.0));
            return out;
        }
    }
}
