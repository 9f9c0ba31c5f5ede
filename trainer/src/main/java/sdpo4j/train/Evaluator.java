package sdpo4j.train;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.env.Environment;
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
 * evaluates exactly as an uninterrupted one.
 */
final class Evaluator {
    private final List<Task> tasks;
    private final Environment env;
    private final EvalConfig cfg;

    Evaluator(List<Task> tasks, Environment env, EvalConfig cfg) {
        this.tasks = List.copyOf(tasks.subList(0, Math.min(tasks.size(), cfg.maxTasks())));
        this.env = env;
        this.cfg = cfg;
    }

    /** Metrics named {@code eval_greedy_accuracy}, {@code eval_avg@k}, {@code eval_greedy_reward}, {@code eval_sampled_reward}. */
    Map<String, Double> evaluate(DecoderLM model, Tokenizer tokenizer, NDManager m, int maxNewTokens, double temperature, long seed) {
        List<long[]> prompts = new ArrayList<>();
        for (Task t : tasks) {
            prompts.add(tokenizer.encodeUserTurn(t.prompt()));
        }
        Generator gen = new Generator(model, tokenizer);
        List<Generation> greedy = gen.generate(m, prompts,
                SamplingConfig.builder().temperature(0).maxNewTokens(maxNewTokens).seed(seed).build());
        List<long[]> repeated = new ArrayList<>();
        for (long[] p : prompts) {
            for (int k = 0; k < cfg.samples(); k++) {
                repeated.add(p);
            }
        }
        List<Generation> sampled = gen.generate(m, repeated,
                SamplingConfig.builder().temperature(temperature).maxNewTokens(maxNewTokens).seed(seed).build());
        double[] g = successAndReward(greedy, 1);
        double[] s = successAndReward(sampled, cfg.samples());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("eval_greedy_accuracy", g[0]);
        out.put("eval_avg@" + cfg.samples(), s[0]);
        out.put("eval_greedy_reward", g[1]);
        out.put("eval_sampled_reward", s[1]);
        return out;
    }

    private double[] successAndReward(List<Generation> gens, int perTask) {
        double success = 0;
        double reward = 0;
        for (int i = 0; i < gens.size(); i++) {
            var score = env.score(tasks.get(i / perTask), gens.get(i).text());
            success += score.success() ? 1 : 0;
            reward += score.reward();
        }
        return new double[] {success / gens.size(), reward / gens.size()};
    }
}
