package sdpo4j.discover;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.train.PromptSchedule;
import sdpo4j.train.RolloutGroup;
import sdpo4j.train.SelfDistillationStep;
import sdpo4j.train.StepHooks;
import sdpo4j.train.TrainConfig;

/**
 * One method's search for a correct answer to one question: rounds of {@code round-size}
 * attempts (the last round smaller when the budget is not a multiple), scored by the environment,
 * until an attempt succeeds or the budget is spent. Between rounds: SDPO takes one step of the
 * trainer's own {@link SelfDistillationStep} on the round's attempts (their teacher contexts from
 * {@link TeacherContexts}: the feedback on each), on weights made for this question alone
 * ({@link QuestionModels}); multi-turn appends each slot's attempt and its feedback to that slot's
 * conversation; best-of-k changes nothing. No step follows the last round: nothing would use it.
 *
 * <p>Round r of question q under seed s samples with the same stream for every method, so the
 * first round's attempts are the same for all three (the model and prompt are): the methods
 * differ from the second round on, by what they did with the first.
 */
final class Discovery {
    private static final long ROUND_STREAM = 0xD15C_0BE7L;
    private static final long STEP_STREAM = 0x57E9L;

    /** One attempt, as logged. */
    record Attempt(int round, int attempt, String response, String feedback, double reward, boolean success, int tokens,
            double seconds) {}

    /**
     * One method's search on one question under one seed.
     *
     * @param attempts attempts sampled (the budget unless a success stopped it early)
     * @param discoveredAt 1-based attempt of the first success, 0 when none
     * @param tokensAt generated tokens up to and including that attempt (all of them when none)
     * @param secondsAt wall time to the end of its round, SDPO steps included (all of it when none)
     * @param steps SDPO steps taken
     */
    record Trajectory(String question, DiscoveryMethod method, long seed, int attempts, int discoveredAt, long tokensAt,
            double secondsAt, int steps, List<Attempt> log) {
        boolean discovered() {
            return discoveredAt > 0;
        }
    }

    private final DiscoverConfig cfg;
    private final DecoderLM base;
    private final Tokenizer tokenizer;
    private final Environment env;
    private final TeacherContexts contexts;
    private final QuestionModels models;
    private Consumer<DecoderLM> onQuestionStart = model -> { };
    private Consumer<DecoderLM> onStep = model -> { };

    Discovery(DiscoverConfig cfg, DecoderLM base, Tokenizer tokenizer, Environment env, TeacherContexts contexts) {
        this.cfg = cfg;
        this.base = base;
        this.tokenizer = tokenizer;
        this.env = env;
        this.contexts = contexts;
        this.models = new QuestionModels(base, cfg.lora());
    }

    /** Called with the model that samples a question's first round, before it does (tests of the reset). */
    Discovery onQuestionStart(Consumer<DecoderLM> listener) {
        this.onQuestionStart = listener;
        return this;
    }

    /** Called with SDPO's student after each of its steps (tests: the step moved it). */
    Discovery onStep(Consumer<DecoderLM> listener) {
        this.onStep = listener;
        return this;
    }

    Trajectory solve(NDManager manager, Task task, int question, DiscoveryMethod method, long seed) {
        try (NDManager m = manager.newSubManager()) {
            long start = System.nanoTime();
            SelfDistillationStep step = null;
            DecoderLM sampler = base;
            if (method == DiscoveryMethod.SDPO) {
                QuestionModels.Pair pair = models.fresh(m, seed);
                TrainConfig d = TrainConfig.DEFAULT;
                AdamW adam = new AdamW(pair.student().trainableParameters(), m, d.adamBeta1(), d.adamBeta2(), d.adamEpsilon(),
                        d.weightDecay());
                step = new SelfDistillationStep(pair.student(), pair.teacher(), tokenizer, env, contexts, cfg.step(), adam,
                        StepHooks.NONE);
                sampler = pair.student();
            }
            onQuestionStart.accept(sampler);
            Generator generator = new Generator(sampler, tokenizer);
            long[] prompt = tokenizer.encodeConversation(task.conversation());
            List<List<ChatTemplate.Message>> conversations = new ArrayList<>();
            List<Attempt> log = new ArrayList<>();
            SplittableRandom stepRng = new SplittableRandom(PromptSchedule.streamSeed(seed, STEP_STREAM, question));
            int used = 0;
            int round = 0;
            int steps = 0;
            long tokens = 0;
            int discoveredAt = 0;
            long tokensAt = 0;
            double secondsAt = 0;
            while (used < cfg.budget() && discoveredAt == 0) {
                round++;
                int k = Math.min(cfg.roundSize(), cfg.budget() - used);
                List<long[]> prompts = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    prompts.add(method == DiscoveryMethod.MULTI_TURN && round > 1
                            ? tokenizer.encodeConversation(conversations.get(i)) : prompt);
                }
                SamplingConfig sampling = SamplingConfig.builder().temperature(cfg.temperature()).maxNewTokens(cfg.maxNewTokens())
                        .seed(PromptSchedule.streamSeed(seed, ROUND_STREAM, (long) question << 20 | round)).build();
                List<Generation> gens = generator.generate(m, prompts, sampling);
                RolloutGroup group = SelfDistillationStep.scored(env, task, prompt, gens);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (int i = 0; i < k; i++) {
                    Score s = group.scores().get(i);
                    int len = gens.get(i).tokens().length;
                    tokens += len;
                    log.add(new Attempt(round, used + i + 1, gens.get(i).text(), s.feedback(), s.reward(), s.success(), len, seconds));
                    if (s.success() && discoveredAt == 0) {
                        discoveredAt = used + i + 1;
                        tokensAt = tokens;
                        secondsAt = seconds;
                    }
                }
                used += k;
                if (discoveredAt > 0 || used >= cfg.budget()) {
                    break;
                }
                if (method == DiscoveryMethod.SDPO) {
                    step.update(m, List.of(group), stepRng);
                    steps++;
                    onStep.accept(sampler);
                } else if (method == DiscoveryMethod.MULTI_TURN) {
                    extend(conversations, task, group);
                }
            }
            if (discoveredAt == 0) {
                tokensAt = tokens;
                secondsAt = (System.nanoTime() - start) / 1e9;
            }
            return new Trajectory(task.id(), method, seed, used, discoveredAt, tokensAt, secondsAt, steps, log);
        }
    }

    /**
     * Each slot's conversation gets its attempt and then a user turn with the feedback on it, in
     * the words the self-teacher reads it ({@link TeacherContexts#render}: the question, the
     * feedback, the request to solve it). Only the last {@code history-turns} exchanges are kept
     * after the question (all of a multi-turn task's turns), so the prompt stays within a small model's context.
     */
    private void extend(List<List<ChatTemplate.Message>> conversations, Task task, RolloutGroup group) {
        for (int i = 0; i < group.responses().size(); i++) {
            if (conversations.size() <= i) {
                conversations.add(new ArrayList<>(task.conversation()));
            }
            List<ChatTemplate.Message> c = conversations.get(i);
            String feedback = group.scores().get(i).feedback();
            c.add(new ChatTemplate.Message("assistant", group.responses().get(i).text()));
            c.add(new ChatTemplate.Message("user", contexts.render(task.prompt(),
                    new TeacherContexts.Context(null, feedback.isBlank() ? "not accepted" : feedback))));
            int asked = task.conversation().size();
            while (c.size() > asked + 2 * cfg.historyTurns()) {
                c.remove(asked);
                c.remove(asked);
            }
        }
    }

    /** A trajectory's attempts as JSONL objects. */
    static List<Map<String, Object>> logLines(Trajectory t) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Attempt a : t.log()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("question", t.question());
            o.put("method", t.method().label());
            o.put("seed", t.seed());
            o.put("round", a.round());
            o.put("attempt", a.attempt());
            o.put("response", a.response());
            o.put("feedback", a.feedback());
            o.put("reward", a.reward());
            o.put("success", a.success());
            o.put("tokens", a.tokens());
            o.put("seconds", a.seconds());
            out.add(o);
        }
        return out;
    }
}
