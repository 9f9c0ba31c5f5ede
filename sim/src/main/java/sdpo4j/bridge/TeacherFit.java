package sdpo4j.bridge;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.scoring.TeacherForcing;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.sim.FeedbackType;

/**
 * How close the pretrained model's feedback-conditioned continuation is to the analytic teacher
 * it was taught: on fresh judgements (none seen in pretraining), for each feedback type, the KL
 * per symbol position {@code KL(analytic || learned)}, the learned distribution renormalised over
 * the V symbol tokens; beside it, {@code KL(analytic || uniform)}, how far a teacher that ignored
 * the feedback would be. The bare prompt is compared with the uniform initial policy.
 *
 * @param kl per row (feedback type, or "plain"), the mean KL at each position
 * @param ignoringFeedback per row, the KL a feedback-blind uniform teacher would have
 * @param ignoringValue per row, the KL of the best teacher that knows the world and the feedback
 *     type but not what this feedback says: the mean of the analytic teacher over the row's
 *     judgements. A learned teacher near it reads that feedback is there, not its value.
 * @param symbolMass per row, the mean probability the model puts on the symbol tokens
 */
record TeacherFit(Map<String, double[]> kl, Map<String, double[]> ignoringFeedback, Map<String, double[]> ignoringValue,
        Map<String, Double> symbolMass) {

    static final String PLAIN = "plain";

    static TeacherFit measure(NDManager manager, BridgeConfig cfg, BridgeWorlds worlds, TeacherContexts contexts, DecoderLM model,
            Tokenizer tok, long seed) {
        LetterLayout layout = new LetterLayout(tok, cfg.world().vocab(), cfg.world().length());
        int t = cfg.world().length();
        int v = cfg.world().vocab();
        Map<String, double[]> kl = new LinkedHashMap<>();
        Map<String, double[]> blind = new LinkedHashMap<>();
        Map<String, double[]> valueBlind = new LinkedHashMap<>();
        Map<String, Double> mass = new LinkedHashMap<>();
        List<String> rows = new ArrayList<>(List.of(PLAIN));
        TeacherCorpus.TYPES.forEach(f -> rows.add(f.label()));
        for (String row : rows) {
            kl.put(row, new double[t]);
            blind.put(row, new double[t]);
            valueBlind.put(row, new double[t]);
            mass.put(row, 0.0);
        }
        int n = cfg.teacherCheck();
        for (int s = 0; s < cfg.seeds(); s++) {
            long worldSeed = cfg.seed() + s;
            SequenceWorld w = worlds.world(worldSeed);
            String prompt = worlds.prompt(worldSeed);
            // A stream no corpus example came from.
            SplittableRandom rng = new SplittableRandom(~(seed * 1_000_003L + worldSeed));
            for (String row : rows) {
                float[] p;
                List<long[]> ctx = new ArrayList<>();
                if (row.equals(PLAIN)) {
                    p = new float[n * t * v];
                    java.util.Arrays.fill(p, 1f / v);
                    for (int k = 0; k < n; k++) {
                        ctx.add(tok.encodeUserTurn(prompt));
                    }
                } else {
                    FeedbackType type = FeedbackType.valueOf(row.toUpperCase(java.util.Locale.ROOT));
                    List<TeacherCorpus.Judged> judged = TeacherCorpus.judge(worlds, w, type, cfg.pretrain().judgeSigma(), n, rng);
                    p = AnalyticTeacher.probs(manager, cfg.beta(), w, type, new float[t * v],
                            judged.stream().map(TeacherCorpus.Judged::judgement).toList(),
                            judged.stream().map(TeacherCorpus.Judged::sequence).toList());
                    for (TeacherCorpus.Judged j : judged) {
                        ctx.add(tok.encodeUserTurn(contexts.render(prompt, new TeacherContexts.Context(null, j.judgement().text()))));
                    }
                }
                // Responses drawn from the analytic teacher, so each position's prefix is one it would write.
                List<long[]> responses = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    int[] y = new int[t];
                    for (int i = 0; i < t; i++) {
                        y[i] = TeacherCorpus.categorical(p, (k * t + i) * v, v, rng);
                    }
                    responses.add(layout.encode(y));
                }
                float[] lp;
                int lr;
                int vocab;
                try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope()) {
                    TeacherForcing.Scored sc = TeacherForcing.score(model, m, ctx, responses, tok.padId());
                    lr = (int) sc.tokens().getShape().get(1);
                    vocab = (int) sc.logits().getShape().get(2);
                    lp = sc.logits().logSoftmax(-1).toFloatArray();
                }
                double[] mean = new double[t * v];
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < t * v; i++) {
                        mean[i] += p[k * t * v + i] / n;
                    }
                }
                double[] valueRow = valueBlind.get(row);
                double[] klRow = kl.get(row);
                double[] blindRow = blind.get(row);
                double massSum = 0;
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < t; i++) {
                        int base = (k * lr + layout.index(i)) * vocab;
                        long[] letters = layout.letterIds(i);
                        double z = 0;
                        for (int j = 0; j < v; j++) {
                            z += Math.exp(lp[base + (int) letters[j]]);
                        }
                        massSum += z / t;
                        for (int j = 0; j < v; j++) {
                            double pa = p[(k * t + i) * v + j];
                            if (pa > 0) {
                                double learned = Math.exp(lp[base + (int) letters[j]]) / z;
                                klRow[i] += pa * Math.log(pa / learned) / (n * cfg.seeds());
                                blindRow[i] += pa * Math.log(pa * v) / (n * cfg.seeds());
                                valueRow[i] += pa * Math.log(pa / mean[i * v + j]) / (n * cfg.seeds());
                            }
                        }
                    }
                }
                mass.merge(row, massSum / (n * cfg.seeds()), Double::sum);
            }
        }
        return new TeacherFit(kl, blind, valueBlind, mass);
    }

    static double mean(double[] x) {
        double s = 0;
        for (double d : x) {
            s += d / x.length;
        }
        return s;
    }
}
