package sdpo4j.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.text.Tokenizer;

/**
 * Held-out evaluation: greedy accuracy (success fraction of one greedy response per task) and
 * avg@k (mean success over k responses sampled at the rollout temperature), plus the mean
 * reward of each. The sampled seed is fixed per evaluation step so that a resumed run
 * evaluates exactly as an uninterrupted one. Pretraining measures its model with the same
 * greedy responses and tally ({@link #greedy}, {@link #successAndReward}).
 */
public final class Evaluator {
    /** Scores response {@code i} of an evaluation, given its text. */
    interface ResponseScorer {
        Score score(int i, String response);
    }

    /** Suffix of a metric's per-task values in {@code metrics.jsonl}. */
    public static final String PER_TASK = "_per_task";

    private final List<Task> tasks;
    private final Environment env;
    private final EvalConfig cfg;

    Evaluator(List<Task> tasks, Environment env, EvalConfig cfg) {
        this.tasks = List.copyOf(tasks.subList(0, Math.min(tasks.size(), cfg.maxTasks())));
        this.env = env;
        this.cfg = cfg;
    }

    /**
     * Metrics named {@code eval_greedy_accuracy}, {@code eval_avg@k}, {@code eval_greedy_reward},
     * {@code eval_sampled_reward}, and per held-out task (in dataset order) the two accuracies'
     * values under the same names with {@link #PER_TASK} appended, which confidence intervals
     * over tasks are computed from.
     */
    Map<String, Object> evaluate(DecoderLM model, Tokenizer tokenizer, NDManager m, int maxNewTokens, double temperature, long seed) {
        List<long[]> prompts = new ArrayList<>();
        for (Task t : tasks) {
            prompts.add(tokenizer.encodeConversation(t.conversation()));
        }
        Generator gen = new Generator(model, tokenizer);
        List<Generation> greedy = greedy(gen, m, prompts, maxNewTokens, seed);
        List<long[]> repeated = new ArrayList<>();
        for (long[] p : prompts) {
            for (int k = 0; k < cfg.samples(); k++) {
                repeated.add(p);
            }
        }
        List<Generation> sampled = gen.generate(m, repeated,
                SamplingConfig.builder().temperature(temperature).maxNewTokens(maxNewTokens).seed(seed).build());
        double[] greedyPerTask = new double[tasks.size()];
        double[] sampledPerTask = new double[tasks.size()];
        double[] g = successAndReward(greedy, (i, response) -> tally(greedyPerTask, i, 1, env.score(tasks.get(i), response)));
        double[] s = successAndReward(sampled, (i, response) -> tally(sampledPerTask, i / cfg.samples(), cfg.samples(),
                env.score(tasks.get(i / cfg.samples()), response)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eval_greedy_accuracy", g[0]);
        out.put("eval_avg@" + cfg.samples(), s[0]);
        out.put("eval_greedy_reward", g[1]);
        out.put("eval_sampled_reward", s[1]);
        out.put("eval_greedy_accuracy" + PER_TASK, greedyPerTask);
        out.put("eval_avg@" + cfg.samples() + PER_TASK, sampledPerTask);
        return out;
    }

    /** Adds a success's share ({@code 1 / responses}) to its task's entry; returns the score. */
    private static Score tally(double[] perTask, int task, int responses, Score score) {
        perTask[task] += score.success() ? 1.0 / responses : 0;
        return score;
    }

    /** One greedy response to each prompt, at most {@code maxNewTokens} tokens. */
    static List<Generation> greedy(Generator gen, NDManager m, List<long[]> prompts, int maxNewTokens, long seed) {
        return gen.generate(m, prompts, SamplingConfig.builder().temperature(0).maxNewTokens(maxNewTokens).seed(seed).build());
    }

    /** The success fraction and the mean reward of {@code gens}, response i scored by {@code scorer}. */
    static double[] successAndReward(List<Generation> gens, ResponseScorer scorer) {
        double success = 0;
        double reward = 0;
        for (int i = 0; i < gens.size(); i++) {
            var score = scorer.score(i, gens.get(i).text());
            success += score.success() ? 1 : 0;
            reward += score.reward();
        }
        return new double[] {success / gens.size(), reward / gens.size()};
    }
}
