package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.ChatTemplate;
import sdpo4j.lm.DecoderLM;
import sdpo4j.lm.Generation;
import sdpo4j.lm.Generator;
import sdpo4j.lm.SamplingConfig;
import sdpo4j.lm.TeacherForcing;
import sdpo4j.lm.Tokenizer;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.EmaTeacher;
import sdpo4j.optim.GradientClipping;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.optim.ObjectiveResult;
import sdpo4j.optim.PolicyBatch;

/**
 * One rollout-and-update step of SDPO, Credit or GRPO on a causal LM (SPEC 3-5), read top to
 * bottom: sample G responses per prompt, score them, build teacher contexts (and Credit's
 * contrastive contexts), score the responses under the EMA teacher without gradient and under
 * the student with gradient, compute the shared objective, clip, update with the optimizer,
 * zero the gradients, and move the teacher toward the student. The first building block of
 * the trainer (issue 6); one optimizer step per rollout batch, no micro-batching yet.
 */
public final class SelfDistillationStep {
    private final DecoderLM student;
    private final DecoderLM teacher;
    private final Tokenizer tokenizer;
    private final Environment env;
    private final TeacherContexts contexts;
    private final ObjectiveConfig objectiveConfig;
    private final Objective objective;
    private final Optimizer optimizer;
    private final EmaTeacher ema;
    private final double emaRate;
    private final double maxGradNorm;

    public SelfDistillationStep(DecoderLM student, DecoderLM teacher, Tokenizer tokenizer, Environment env,
            TeacherContexts contexts, ObjectiveConfig objectiveConfig, Optimizer optimizer, double emaRate, double maxGradNorm) {
        this.student = student;
        this.teacher = teacher;
        this.tokenizer = tokenizer;
        this.env = env;
        this.contexts = contexts;
        this.objectiveConfig = objectiveConfig;
        this.objective = Objective.create(objectiveConfig);
        this.optimizer = optimizer;
        this.ema = EmaTeacher.pairing(teacher.parameterList(), student.parameterList());
        this.emaRate = emaRate;
        this.maxGradNorm = maxGradNorm;
        for (NDArray p : student.parameterList()) {
            p.setRequiresGradient(true);
        }
    }

    /** The prompt ids a model sees for a user turn (through the chat template). */
    long[] promptIds(String userTurn) {
        return tokenizer.encode(tokenizer.render(List.of(new ChatTemplate.Message("user", userTurn)), true));
    }

    /** Samples and scores G responses for each task, without gradient. */
    public List<RolloutGroup> rollouts(NDManager m, List<Task> tasks, int groupSize, SamplingConfig sampling) {
        List<long[]> prompts = new ArrayList<>();
        for (Task t : tasks) {
            long[] ids = promptIds(t.prompt());
            for (int g = 0; g < groupSize; g++) {
                prompts.add(ids);
            }
        }
        List<Generation> gens = new Generator(student, tokenizer).generate(m, prompts, sampling);
        List<RolloutGroup> groups = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            List<Generation> mine = gens.subList(i * groupSize, (i + 1) * groupSize);
            List<Score> scores = new ArrayList<>();
            for (Generation g : mine) {
                scores.add(env.score(tasks.get(i), g.text()));
            }
            groups.add(new RolloutGroup(tasks.get(i), prompts.get(i * groupSize), mine, scores));
        }
        return groups;
    }

    /** One update from scored rollouts; returns the objective's metrics (averaged) plus the gradient norm. */
    public Map<String, Double> update(NDManager manager, List<RolloutGroup> groups, SplittableRandom rng) {
        int g = groups.get(0).responses().size();
        List<long[]> studentContexts = new ArrayList<>();
        List<long[]> teacherContexts = new ArrayList<>();
        List<long[]> contrastContexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        float[] rewards = new float[groups.size() * g];
        float[] hasTeacher = new float[groups.size() * g];
        for (int gi = 0; gi < groups.size(); gi++) {
            RolloutGroup group = groups.get(gi);
            List<TeacherContexts.Rollout> rollouts = new ArrayList<>();
            for (int j = 0; j < g; j++) {
                rollouts.add(new TeacherContexts.Rollout(group.responses().get(j).text(), group.scores().get(j)));
            }
            List<Optional<TeacherContexts.Context>> ctx = contexts.build(rollouts, rng);
            // Credit's contrastive prompt: another prompt of the batch, uniformly (never its own).
            Task other = groups.get((gi + 1 + (groups.size() > 1 ? rng.nextInt(groups.size() - 1) : 0)) % groups.size()).task();
            for (int j = 0; j < g; j++) {
                int n = gi * g + j;
                rewards[n] = (float) group.scores().get(j).reward();
                studentContexts.add(group.promptIds());
                long[] response = group.responses().get(j).tokens();
                responses.add(response.length == 0 ? new long[] {tokenizer.padId()} : response);
                if (ctx.get(j).isPresent()) {
                    hasTeacher[n] = 1;
                    teacherContexts.add(promptIds(contexts.render(group.task().prompt(), ctx.get(j).get())));
                    contrastContexts.add(promptIds(contexts.render(other.prompt(), ctx.get(j).get())));
                } else {
                    // No teacher: the response is masked out of the distillation mean; any context will do.
                    teacherContexts.add(group.promptIds());
                    contrastContexts.add(group.promptIds());
                }
            }
        }
        boolean distils = objectiveConfig.name() != ObjectiveKind.GRPO && objectiveConfig.name() != ObjectiveKind.REINFORCE;
        double gradNorm;
        ObjectiveResult result;
        Map<String, Double> metrics;
        try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
            NDArray teacherLogits = null;
            NDArray contrastLogits = null;
            if (distils) {
                teacherLogits = TeacherForcing.score(teacher, m, teacherContexts, responses, tokenizer.padId()).logits().expandDims(0);
                if (objectiveConfig.name() == ObjectiveKind.CREDIT) {
                    contrastLogits = TeacherForcing.score(teacher, m, contrastContexts, responses, tokenizer.padId()).logits().expandDims(0);
                }
            }
            try (Autograd.Recording rec = Autograd.record()) {
                TeacherForcing.Scored s = TeacherForcing.score(student, m, studentContexts, responses, tokenizer.padId());
                int n = responses.size();
                PolicyBatch.Builder b = PolicyBatch.builder(s.logits().expandDims(0), s.tokens().expandDims(0),
                                s.mask().expandDims(0), m.create(rewards, new Shape(1, n)))
                        .groupSize(g);
                if (teacherLogits != null) {
                    b.teacher(teacherLogits, m.create(hasTeacher, new Shape(1, n)));
                }
                if (contrastLogits != null) {
                    b.contrastive(List.of(contrastLogits));
                }
                result = objective.compute(b.build());
                rec.backward(result.loss());
            }
            metrics = new java.util.LinkedHashMap<>(result.meanMetrics());
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : student.parameterList()) {
                grads.add(p.getGradient());
            }
            gradNorm = GradientClipping.clipGlobalNorm(grads, maxGradNorm);
            if (!Double.isFinite(gradNorm)) {
                throw new IllegalStateException("gradient norm is " + gradNorm + ": stopping before the update corrupts the model");
            }
        }
        // Outside any scope: the optimizer creates its moment arrays on first use, and a scope
        // would free them.
        for (Map.Entry<String, NDArray> e : student.parameters().entrySet()) {
            try (NDArray grad = e.getValue().getGradient()) {
                optimizer.update(e.getKey(), e.getValue(), grad);
            }
        }
        Autograd.zeroGradients(student.parameterList());
        ema.update(emaRate);
        metrics.put("grad_norm", gradNorm);
        return metrics;
    }
}
