package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every objective's value and gradient with respect to the student logits on a case small
 * enough to write out: 4 responses in 2 groups, 2 positions (responses 1 and 3 have one), 3
 * tokens, temperature 2. The expected numbers come from the SPEC's formulas written as plain
 * loops over doubles, with the gradients in closed form ({@code d log p_y / d z_v = (1[v = y] -
 * p_v) / T}), not from autograd: a wrong sign, coefficient, denominator or mask in an objective
 * moves its pin.
 */
class ObjectivePinTest {
    static final int N = 4, G = 2, L = 2, V = 3;
    static final double T = 2.0;
    static final Shape LOGITS = new Shape(1, N, L, V);
    static final Shape TOKENS = new Shape(1, N, L);
    static final double[] Z = {
        0.2, -0.4, 1.0, 0.5, 0.1, -0.3,
        -0.6, 0.3, 0.0, 0.9, -0.2, 0.4,
        1.1, 0.0, -0.5, -0.3, 0.8, 0.2,
        0.4, 0.4, -0.9, 0.0, 0.6, -1.2};
    static final double[] TEACHER = {
        1.5, -0.2, 0.1, -0.4, 0.9, 0.3,
        0.2, 1.2, -0.7, 0.0, 0.0, 0.5,
        -0.8, 0.6, 0.9, 0.7, -0.1, 1.4,
        0.3, -1.0, 0.5, 1.0, 0.2, -0.6};
    static final double[] CONTRAST_A = {
        0.1, 0.7, -0.3, 1.2, -0.5, 0.0,
        -0.2, -0.4, 0.8, 0.3, 0.6, -0.9,
        0.5, 0.5, 0.0, -1.1, 0.2, 0.4,
        0.9, -0.3, 0.1, 0.0, -0.7, 0.6};
    static final double[] CONTRAST_B = {
        -0.5, 0.2, 0.6, 0.0, 1.0, -0.4,
        0.7, -0.1, 0.3, -0.6, 0.4, 0.2,
        0.0, -0.9, 1.3, 0.5, 0.5, -0.2,
        -0.4, 0.8, 0.0, 0.3, -0.3, 0.9};
    static final long[] Y = {2, 0, 1, 0, 0, 1, 2, 2};
    static final double[] MASK = {1, 1, 1, 0, 1, 1, 1, 0};
    static final double[] REWARD = {1.0, 0.25, 0.0, 0.5};
    static final double[] HAS_TEACHER = {1, 1, 0, 1};
    static final double[] QUALITY = {0.5, -0.2, 0.3, 0.0, -0.4, 0.1, 0.2, 0.7};
    static final double[] OLD = {-1.5, -0.6, -1.2, -1.0, -0.2, -1.9, -1.1, -1.0};

    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    // ---- the case by hand ----

    static double[] logSoftmax(double[] logits, int at) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < V; v++) {
            max = Math.max(max, logits[at + v] / T);
        }
        double sum = 0;
        for (int v = 0; v < V; v++) {
            sum += Math.exp(logits[at + v] / T - max);
        }
        double[] out = new double[V];
        for (int v = 0; v < V; v++) {
            out[v] = logits[at + v] / T - max - Math.log(sum);
        }
        return out;
    }

    static int at(int i, int t) {
        return (i * L + t) * V;
    }

    static double length(int i) {
        return MASK[i * L] + MASK[i * L + 1];
    }

    static double[] centred(double[] rewards) {
        double mean = 0;
        for (double r : rewards) {
            mean += r / rewards.length;
        }
        double[] a = new double[rewards.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = rewards[i] - mean;
        }
        return a;
    }

    /** Adds {@code c * d log p_y / d z} at position (i, t) to {@code grad}. */
    static void addLogProbGradient(double[] grad, int i, int t, double c) {
        double[] lp = logSoftmax(Z, at(i, t));
        for (int v = 0; v < V; v++) {
            grad[at(i, t) + v] += c * ((v == Y[i * L + t] ? 1 : 0) - Math.exp(lp[v])) / T;
        }
    }

    record Pin(double value, double[] grad) {}

    /** {@code -sum c_it log p(y_it)}: reinforce and advantage-weighted with coefficients c. */
    static Pin policyGradient(double[] c) {
        double value = 0;
        double[] grad = new double[Z.length];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < L; t++) {
                value -= c[i * L + t] * logSoftmax(Z, at(i, t))[(int) Y[i * L + t]];
                addLogProbGradient(grad, i, t, -c[i * L + t]);
            }
        }
        return new Pin(value, grad);
    }

    static Pin reinforce(double[] rewards) {
        double[] a = centred(rewards);
        double[] c = new double[N * L];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < L; t++) {
                c[i * L + t] = MASK[i * L + t] * a[i] / (N * length(i));
            }
        }
        return policyGradient(c);
    }

    /**
     * Rejection-sampling fine-tuning: the token-mean negative log-likelihood of each response whose
     * reward reaches {@code threshold}, averaged over those responses.
     */
    static Pin rft(double threshold) {
        int kept = 0;
        for (double r : REWARD) {
            kept += r >= threshold ? 1 : 0;
        }
        double[] c = new double[N * L];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < L; t++) {
                c[i * L + t] = REWARD[i] >= threshold ? MASK[i * L + t] / (kept * length(i)) : 0;
            }
        }
        return policyGradient(c);
    }

    static Pin advantageWeighted() {
        double[] a = centred(REWARD);
        double[] c = new double[N * L];
        for (int i = 0; i < N; i++) {
            double norm = 1e-6;
            for (int t = 0; t < L; t++) {
                norm += Math.abs(QUALITY[i * L + t] * MASK[i * L + t]);
            }
            for (int t = 0; t < L; t++) {
                c[i * L + t] = MASK[i * L + t] * a[i] * QUALITY[i * L + t] / norm / (N * length(i));
            }
        }
        return policyGradient(c);
    }

    static double[] groupAdvantage() {
        double[] adv = new double[N];
        for (int g = 0; g < N / G; g++) {
            double mean = (REWARD[2 * g] + REWARD[2 * g + 1]) / 2;
            double var = (Math.pow(REWARD[2 * g] - mean, 2) + Math.pow(REWARD[2 * g + 1] - mean, 2)) / (G - 1);
            for (int j = 0; j < G; j++) {
                adv[2 * g + j] = (REWARD[2 * g + j] - mean) / (Math.sqrt(var) + 1e-6);
            }
        }
        return adv;
    }

    /**
     * GRPO: per token {@code -min(r A, clip(r, 0.8, 1.2) A)} with {@code r = p_y / p_old}; the
     * gradient flows through the unclipped branch only. Token mean over the batch, or token mean
     * per response then response mean.
     */
    static Pin grpo(double[] old, boolean tokenMean) {
        double[] adv = groupAdvantage();
        double tokens = 0;
        for (double m : MASK) {
            tokens += m;
        }
        double value = 0;
        double[] grad = new double[Z.length];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < L; t++) {
                double w = MASK[i * L + t] * (tokenMean ? 1 / tokens : 1 / (N * length(i)));
                double logp = logSoftmax(Z, at(i, t))[(int) Y[i * L + t]];
                double r = old == null ? 1 : Math.exp(logp - old[i * L + t]);
                double clipped = Math.max(0.8, Math.min(1.2, r));
                boolean unclipped = r * adv[i] <= clipped * adv[i];
                value -= w * Math.min(r * adv[i], clipped * adv[i]);
                if (unclipped) {
                    addLogProbGradient(grad, i, t, -w * adv[i] * r);
                }
            }
        }
        return new Pin(value, grad);
    }

    /**
     * Distillation to the teacher log-probs {@code target(i, t)}: alpha 1 is {@code KL(p || q)}
     * with gradient {@code p_v (d_v - sum_u p_u d_u) / T}, {@code d = log p - log q}; alpha 0 is
     * {@code KL(q || p)} with gradient {@code (p - q) / T}. Token mean per response, then mean
     * over the responses that have a teacher.
     */
    static Pin distillation(double alpha, java.util.function.BiFunction<Integer, Integer, double[]> target) {
        double teachers = 0;
        for (double h : HAS_TEACHER) {
            teachers += h;
        }
        double value = 0;
        double[] grad = new double[Z.length];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < L; t++) {
                double k = HAS_TEACHER[i] * MASK[i * L + t] / (length(i) * teachers);
                double[] lp = logSoftmax(Z, at(i, t));
                double[] lq = target.apply(i, t);
                double d = 0;
                double mean = 0;
                for (int v = 0; v < V; v++) {
                    double p = Math.exp(lp[v]);
                    d += alpha == 1 ? p * (lp[v] - lq[v]) : Math.exp(lq[v]) * (lq[v] - lp[v]);
                    mean += p * (lp[v] - lq[v]);
                }
                value += k * d;
                for (int v = 0; v < V; v++) {
                    double p = Math.exp(lp[v]);
                    grad[at(i, t) + v] += k * (alpha == 1 ? p * ((lp[v] - lq[v]) - mean) : p - Math.exp(lq[v])) / T;
                }
            }
        }
        return new Pin(value, grad);
    }

    static double[] teacher(int i, int t) {
        return logSoftmax(TEACHER, at(i, t));
    }

    /** Credit's target: {@code log q - lambda * mean_k log g_k}, renormalised. */
    static double[] debiased(int i, int t, double lambda, List<double[]> contrasts) {
        double[] lq = teacher(i, t);
        double[] x = new double[V];
        double sum = 0;
        for (int v = 0; v < V; v++) {
            double g = 0;
            for (double[] c : contrasts) {
                g += logSoftmax(c, at(i, t))[v] / contrasts.size();
            }
            x[v] = lq[v] - lambda * g;
            sum += Math.exp(x[v]);
        }
        for (int v = 0; v < V; v++) {
            x[v] -= Math.log(sum);
        }
        return x;
    }

    // ---- the objectives ----

    static PolicyBatch.Builder batch(NDManager m, NDArray student, double[] rewards) {
        return PolicyBatch.builder(student, m.create(Y, TOKENS), m.create(MASK, TOKENS), m.create(rewards, new Shape(1, N)))
                .groupSize(G)
                .teacher(m.create(TEACHER, LOGITS), m.create(HAS_TEACHER, new Shape(1, N)))
                .contrastive(List.of(m.create(CONTRAST_A, LOGITS)))
                .tokenQuality(m.create(QUALITY, TOKENS));
    }

    static ObjectiveConfig config(ObjectiveKind kind, double alpha) {
        return ObjectiveConfig.builder().name(kind)
                .divergence(DivergenceConfig.builder().topK(V).temperature(T).alpha(alpha).build()).build();
    }

    static void assertPin(String name, Pin want, ObjectiveConfig cfg, UnaryOperator<PolicyBatch.Builder> extra) {
        double value = GradCheck.value(manager, Z, LOGITS,
                (m, x) -> Objective.create(cfg).compute(extra.apply(batch(m, x, REWARD)).build()).loss());
        double[] grad = GradCheck.autograd(manager, Z, LOGITS,
                (m, x) -> Objective.create(cfg).compute(extra.apply(batch(m, x, REWARD)).build()).loss());
        assertEquals(want.value(), value, 1e-12, name + " value");
        double largest = 0;
        for (int k = 0; k < grad.length; k++) {
            assertEquals(want.grad()[k], grad[k], 1e-12, name + " gradient " + k);
            largest = Math.max(largest, Math.abs(want.grad()[k]));
        }
        assertTrue(largest > 1e-3, name + ": the case has a gradient to pin");
    }

    @Test
    void reinforcePin() {
        assertPin("reinforce", reinforce(REWARD), config(ObjectiveKind.REINFORCE, 1), b -> b);
    }

    @Test
    void rftTrainsOnTheSuccessfulResponsesOnly() {
        ObjectiveConfig rft = config(ObjectiveKind.RFT, 1);
        assertPin("rft threshold 1", rft(1.0), rft, b -> b);
        assertPin("rft threshold 0.5", rft(0.5), rft.toBuilder().rftThreshold(0.5).build(), b -> b);
        // no success: nothing to learn, and a weight of 0 so that a micro-batch adds nothing
        ObjectiveResult none = Objective.create(rft.toBuilder().rftThreshold(2).build())
                .compute(batch(manager, manager.create(Z, LOGITS), REWARD).build());
        assertEquals(0, none.loss().getDouble(), 0);
        assertEquals(0, none.weight().getDouble(0), 0);
        assertEquals(0, none.metric("kept_frac").getDouble(0), 0);
    }

    @Test
    void advantageWeightedPin() {
        assertPin("advantage-weighted", advantageWeighted(), config(ObjectiveKind.ADVANTAGE_WEIGHTED, 1), b -> b);
    }

    @Test
    void grpoOnAndOffPolicy() {
        ObjectiveConfig tokenMean = config(ObjectiveKind.GRPO, 1);
        ObjectiveConfig seqMean = tokenMean.withGrpo(GrpoConfig.builder().aggregation(Aggregation.SEQ_MEAN_TOKEN_MEAN).build());
        assertPin("grpo token-mean", grpo(null, true), tokenMean, b -> b);
        assertPin("grpo seq-mean-token-mean", grpo(null, false), seqMean, b -> b);
        // Old log-probs chosen so that some ratios leave [0.8, 1.2] on the side where the clip binds.
        assertPin("grpo off-policy", grpo(OLD, true), tokenMean, b -> b.oldLogProbs(manager.create(OLD, TOKENS)));
        assertPin("grpo off-policy seq-mean", grpo(OLD, false), seqMean, b -> b.oldLogProbs(manager.create(OLD, TOKENS)));
    }

    @Test
    void sdpoReverseAndForward() {
        assertPin("sdpo alpha 1", distillation(1, ObjectivePinTest::teacher), config(ObjectiveKind.SDPO, 1), b -> b);
        assertPin("sdpo alpha 0", distillation(0, ObjectivePinTest::teacher), config(ObjectiveKind.SDPO, 0), b -> b);
    }

    @Test
    void creditWithOneAndTwoContrasts() {
        ObjectiveConfig credit = config(ObjectiveKind.CREDIT, 1).withCreditLambda(0.3);
        assertPin("credit C=1", distillation(1, (i, t) -> debiased(i, t, 0.3, List.of(CONTRAST_A))), credit, b -> b);
        assertPin("credit C=2", distillation(1, (i, t) -> debiased(i, t, 0.3, List.of(CONTRAST_A, CONTRAST_B))), credit,
                b -> b.contrastive(List.of(manager.create(CONTRAST_A, LOGITS), manager.create(CONTRAST_B, LOGITS))));
        assertPin("credit C=1 alpha 0", distillation(0, (i, t) -> debiased(i, t, 0.3, List.of(CONTRAST_A))),
                credit.withDivergence(credit.divergence().withAlpha(0)), b -> b);
    }

    /** {@code a * sdpo + (1 - a) * reinforce}, {@code a = sigmoid((KL(q || p) - tau) / (tau / 3))}, a detached. */
    @Test
    void hybridByTheKlRule() {
        double tau = 0.25;
        double kl = distillation(0, ObjectivePinTest::teacher).value();
        double a = 1 / (1 + Math.exp(-(kl - tau) / (tau / 3)));
        assertTrue(a > 0.05 && a < 0.95, "the case sits where the rule is not flat: " + a);
        Pin sdpo = distillation(1, ObjectivePinTest::teacher);
        Pin sparse = reinforce(REWARD);
        double[] grad = new double[Z.length];
        for (int k = 0; k < grad.length; k++) {
            grad[k] = a * sdpo.grad()[k] + (1 - a) * sparse.grad()[k];
        }
        assertPin("hybrid", new Pin(a * sdpo.value() + (1 - a) * sparse.value(), grad), config(ObjectiveKind.HYBRID, 1), b -> b);
    }

    // ---- micro-batching ----

    /**
     * The step's accumulation, {@code sum_b w_b loss_b / sum_b w_b} and the same for gradients,
     * over the two groups as two micro-batches, equals the objective on the whole batch; the
     * objectives that are not plain means read the whole batch's {@link BatchTotals}.
     */
    @Test
    void twoMicroBatchesGiveTheWholeBatchsUpdate() {
        ObjectiveConfig forced = config(ObjectiveKind.HYBRID, 1).withHybrid(HybridConfig.builder().forceAlpha(0.3).build());
        List<ObjectiveConfig> configs = List.of(config(ObjectiveKind.REINFORCE, 1), config(ObjectiveKind.ADVANTAGE_WEIGHTED, 1),
                config(ObjectiveKind.GRPO, 1), config(ObjectiveKind.SDPO, 1), config(ObjectiveKind.CREDIT, 1), forced,
                forced.withHybrid(forced.hybrid().toBuilder().fallback(ObjectiveKind.GRPO).build()));
        double tokens = 0;
        double teachers = 0;
        double mean = 0;
        for (int i = 0; i < N; i++) {
            tokens += length(i);
            teachers += HAS_TEACHER[i];
            mean += REWARD[i] / N;
        }
        BatchTotals totals = new BatchTotals(N, teachers, tokens, mean);
        for (ObjectiveConfig cfg : configs) {
            String name = cfg.name() + (cfg.name() == ObjectiveKind.HYBRID ? " " + cfg.hybrid().fallback() : "");
            double whole = GradCheck.value(manager, Z, LOGITS, (m, x) -> Objective.create(cfg).compute(batch(m, x, REWARD).build()).loss());
            double[] wholeGrad = GradCheck.autograd(manager, Z, LOGITS,
                    (m, x) -> Objective.create(cfg).compute(batch(m, x, REWARD).build()).loss());
            double lossSum = 0;
            double weightSum = 0;
            double[] grad = new double[Z.length];
            for (int part = 0; part < 2; part++) {
                int from = part * G;
                double[] z = slice(Z, from * L * V, G * L * V);
                double[] w = new double[1];
                double loss = GradCheck.value(manager, z, new Shape(1, G, L, V), (m, x) -> {
                    ObjectiveResult r = Objective.create(cfg).compute(part(m, x, from, totals).build());
                    w[0] = r.weight().getDouble();
                    return r.loss();
                });
                double[] g = GradCheck.autograd(manager, z, new Shape(1, G, L, V),
                        (m, x) -> Objective.create(cfg).compute(part(m, x, from, totals).build()).loss());
                lossSum += w[0] * loss;
                weightSum += w[0];
                for (int k = 0; k < g.length; k++) {
                    grad[from * L * V + k] += w[0] * g[k];
                }
            }
            assertEquals(whole, lossSum / weightSum, 1e-12, name + " loss");
            for (int k = 0; k < grad.length; k++) {
                assertEquals(wholeGrad[k], grad[k] / weightSum, 1e-12, name + " gradient " + k);
            }
        }
    }

    static double[] slice(double[] x, int from, int length) {
        double[] out = new double[length];
        System.arraycopy(x, from, out, 0, length);
        return out;
    }

    /** One group of the case as a micro-batch of the whole. */
    static PolicyBatch.Builder part(NDManager m, NDArray student, int from, BatchTotals totals) {
        Shape tokens = new Shape(1, G, L);
        Shape logits = new Shape(1, G, L, V);
        List<NDArray> contrast = new ArrayList<>(List.of(m.create(slice(CONTRAST_A, from * L * V, G * L * V), logits)));
        return PolicyBatch.builder(student, m.create(slice(Y, from * L, G * L), tokens),
                        m.create(slice(MASK, from * L, G * L), tokens), m.create(slice(REWARD, from, G), new Shape(1, G)))
                .groupSize(G)
                .teacher(m.create(slice(TEACHER, from * L * V, G * L * V), logits),
                        m.create(slice(HAS_TEACHER, from, G), new Shape(1, G)))
                .contrastive(contrast)
                .tokenQuality(m.create(slice(QUALITY, from * L, G * L), tokens))
                .totals(totals);
    }

    static long[] slice(long[] x, int from, int length) {
        long[] out = new long[length];
        System.arraycopy(x, from, out, 0, length);
        return out;
    }
}
