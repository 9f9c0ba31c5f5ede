package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GRPO's options carried over from TRL: sequence-level importance sampling (GSPO), Dr. GRPO's
 * constant-length normaliser and the asymmetric clip range ({@code eps-high}). Each checked against
 * the formula evaluated here in plain Java, and by finite differences.
 */
class GrpoOptionsTest {
    static NDManager manager;
    static final Fixtures FX = new Fixtures(7);
    static final int R = Fixtures.R, N = Fixtures.N, G = Fixtures.G, L = Fixtures.L, V = Fixtures.V;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static ObjectiveConfig grpo(GrpoConfig g) {
        return ObjectiveConfig.DEFAULT.withName(ObjectiveKind.GRPO).withGrpo(g);
    }

    static BiFunction<NDManager, NDArray, NDArray> loss(GrpoConfig g, boolean offPolicy) {
        Objective objective = Objective.create(grpo(g));
        return (m, x) -> {
            PolicyBatch.Builder b = FX.batch(m, x);
            if (offPolicy) {
                b.oldLogProbs(FX.oldLogProbs(m));
            }
            return objective.compute(b.build()).loss();
        };
    }

    /** log p(token) at temperature 1, from the fixture's logits, in doubles. */
    static double[] tokenLogProbs(double[] logits) {
        double[] out = new double[R * N * L];
        for (int p = 0; p < out.length; p++) {
            out[p] = Fixtures.logProb(logits, p, V, (int) FX.tokens[p]);
        }
        return out;
    }

    /** Group-normalised advantages (unbiased std plus 1e-6, as TRL and verl), or only centred. */
    static double[] advantages(boolean scaleStd) {
        double[] a = new double[R * N];
        for (int g0 = 0; g0 < R * N; g0 += G) {
            double mean = 0;
            for (int i = 0; i < G; i++) {
                mean += FX.rewards[g0 + i] / G;
            }
            double var = 0;
            for (int i = 0; i < G; i++) {
                var += Math.pow(FX.rewards[g0 + i] - mean, 2) / (G - 1);
            }
            for (int i = 0; i < G; i++) {
                a[g0 + i] = (FX.rewards[g0 + i] - mean) / (scaleStd ? Math.sqrt(var) + 1e-6 : 1);
            }
        }
        return a;
    }

    /** GSPO by hand: one ratio per response, exp of its token-mean log-ratio, clipped; then the token mean per run. */
    @Test
    void sequenceLevelRatioIsTheExpOfTheTokenMeanLogRatio() {
        GrpoConfig g = GrpoConfig.builder().importanceSampling(ImportanceSampling.SEQUENCE).build();
        double[] lp = tokenLogProbs(FX.studentLogits);
        double[] adv = advantages(true);
        double want = 0;
        for (int r = 0; r < R; r++) {
            double sum = 0;
            double tokens = 0;
            for (int n = 0; n < N; n++) {
                int row = r * N + n;
                double logRatio = 0;
                double len = 0;
                for (int t = 0; t < L; t++) {
                    logRatio += FX.mask[row * L + t] * (lp[row * L + t] - FX.oldLogProbs[row * L + t]);
                    len += FX.mask[row * L + t];
                }
                double ratio = Math.exp(logRatio / len);
                double clipped = Math.min(Math.max(ratio, 1 - g.epsLow()), 1 + g.epsHigh());
                double perToken = -Math.min(ratio * adv[row], clipped * adv[row]);
                sum += perToken * len;
                tokens += len;
            }
            want += sum / tokens;
        }
        double got = GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS, loss(g, true));
        assertEquals(want, got, 1e-9);
        double tokenLevel = GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS,
                loss(GrpoConfig.DEFAULT, true));
        assertTrue(Math.abs(tokenLevel - got) > 1e-3, "token and sequence levels differ here: " + tokenLevel + " vs " + got);
    }

    @Test
    void sequenceLevelGradientMatchesFiniteDifferences() {
        for (Aggregation agg : Aggregation.values()) {
            GrpoConfig g = GrpoConfig.builder().importanceSampling(ImportanceSampling.SEQUENCE).aggregation(agg).build();
            GradCheck.assertGradientsMatch(manager, FX.studentLogits, Fixtures.LOGITS, loss(g, true), 1e-6);
        }
    }

    /** On-policy Dr. GRPO: {@code -sum_n A_n |y_n| / (N * norm-length)} per run, A only centred. */
    @Test
    void drGrpoDividesTokenSumsByAConstantLength() {
        GrpoConfig g = GrpoConfig.builder().scaleStd(false).aggregation(Aggregation.SEQ_MEAN_TOKEN_SUM_NORM).normLength(16).build();
        double[] adv = advantages(false);
        double want = 0;
        for (int row = 0; row < R * N; row++) {
            double len = 0;
            for (int t = 0; t < L; t++) {
                len += FX.mask[row * L + t];
            }
            want += -adv[row] * len / (N * 16.0);
        }
        assertEquals(want, GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS, loss(g, false)), 1e-12);
        // With norm-length 0 the constant is the batch's response width L.
        GrpoConfig byWidth = g.toBuilder().normLength(0).build();
        assertEquals(want * 16 / L, GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS, loss(byWidth, false)), 1e-12);
    }

    /**
     * eps-high clips only ratios above {@code 1 + eps-high} of positive-advantage tokens; eps-low
     * only those below {@code 1 - eps-low} of negative ones. One token per response, two responses:
     * advantage +a at ratio 1.25 and -a at ratio 0.75.
     */
    @Test
    void epsHighClipsAsymmetrically() {
        double[] logits = new double[2 * 2]; // [1, 2, 1, 2]: uniform, log p = log 1/2
        double lp = Math.log(0.5);
        double[] old = {lp - Math.log(1.25), lp - Math.log(0.75)};
        BiFunction<GrpoConfig, NDManager, BiFunction<NDManager, NDArray, NDArray>> lossOf = (g, unused) -> (m, x) ->
                Objective.create(grpo(g)).compute(PolicyBatch.builder(x, m.create(new long[] {0, 1}, new Shape(1, 2, 1)),
                        m.ones(new Shape(1, 2, 1)).toType(ai.djl.ndarray.types.DataType.FLOAT64, false),
                        Fixtures.float64(m, new double[] {1, 0}, new Shape(1, 2))).groupSize(2)
                        .oldLogProbs(Fixtures.float64(m, old, new Shape(1, 2, 1))).build()).loss();
        Shape shape = new Shape(1, 2, 1, 2);
        // DAPO's clip-higher: 1.25 lies inside [0.8, 1.28], the positive token keeps its gradient.
        double[] higher = GradCheck.autograd(manager, logits, shape, lossOf.apply(GrpoConfig.builder().epsHigh(0.28).build(), null));
        // Symmetric 0.2: 1.25 is clipped, the positive token's gradient vanishes.
        double[] symmetric = GradCheck.autograd(manager, logits, shape, lossOf.apply(GrpoConfig.DEFAULT, null));
        // A wider eps-low (0.3) lets the negative token's 0.75 through.
        double[] lower = GradCheck.autograd(manager, logits, shape,
                lossOf.apply(GrpoConfig.builder().epsLow(0.3).epsHigh(0.28).build(), null));
        assertTrue(Math.abs(higher[0]) > 0.1, "positive token unclipped under eps-high 0.28: " + higher[0]);
        assertEquals(0.0, higher[2], 0.0, "negative token at 0.75 < 1 - 0.2: clipped");
        assertEquals(0.0, symmetric[0], 0.0, "positive token at 1.25 > 1 + 0.2: clipped");
        assertEquals(0.0, symmetric[2], 0.0);
        assertTrue(Math.abs(lower[2]) > 0.1, "negative token unclipped under eps-low 0.3: " + lower[2]);
        assertEquals(higher[0], lower[0], 1e-12, "eps-low leaves the positive side alone");
    }
}
