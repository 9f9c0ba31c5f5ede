package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ObjectiveIdentityTest {
    static NDManager manager;
    static final Fixtures FX = new Fixtures(7);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    double[] grad(ObjectiveConfig cfg) {
        return GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS,
                (m, x) -> Objective.create(cfg).compute(FX.batch(m, x).build()).loss());
    }

    double loss(ObjectiveConfig cfg) {
        return GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS,
                (m, x) -> Objective.create(cfg).compute(FX.batch(m, x).build()).loss());
    }

    @Test
    void creditWithLambdaZeroIsSdpo() {
        for (double alpha : new double[] {0, 0.5, 1}) {
            ObjectiveConfig sdpo = ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withTopK(3).withAlpha(alpha));
            ObjectiveConfig credit = sdpo.withName(ObjectiveKind.CREDIT).withCreditLambda(0.0);
            assertEquals(loss(sdpo), loss(credit), 1e-12);
            assertArrayEquals(grad(sdpo), grad(credit), 1e-12);
        }
    }

    @Test
    void creditWithLambdaChangesTheGradient() {
        ObjectiveConfig sdpo = ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
        double[] a = grad(sdpo);
        double[] b = grad(sdpo.withName(ObjectiveKind.CREDIT).withCreditLambda(0.5));
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(diff > 1e-4, "the contrastive baseline must move the gradient");
    }

    @Test
    void hybridAtTheEndpointsIsItsParts() {
        ObjectiveConfig base = ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
        ObjectiveConfig one = base.withName(ObjectiveKind.HYBRID).withHybrid(HybridConfig.builder().forceAlpha(1.0).build());
        ObjectiveConfig zero = base.withName(ObjectiveKind.HYBRID).withHybrid(HybridConfig.builder().forceAlpha(0.0).build());
        assertArrayEquals(grad(base), grad(one), 1e-12);
        assertArrayEquals(grad(base.withName(ObjectiveKind.REINFORCE)), grad(zero), 1e-12);
        assertEquals(loss(base.withName(ObjectiveKind.REINFORCE)), loss(zero), 1e-12);
    }

    @Test
    void hybridWeightFollowsTheKlRule() {
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(ObjectiveKind.HYBRID)
                .withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
        try (NDManager m = manager.newSubManager()) {
            ObjectiveResult r = Objective.create(cfg).compute(FX.batch(m, m.create(FX.studentLogits, Fixtures.LOGITS)).build());
            double[] kl = r.metric("teacher_kl").toDoubleArray();
            double[] alpha = r.metric("alpha").toDoubleArray();
            for (int i = 0; i < kl.length; i++) {
                assertEquals(1 / (1 + Math.exp(-(kl[i] - 0.25) / (0.25 / 3))), alpha[i], 1e-12);
            }
            // And the teacher KL is the forward KL that sdpo with alpha 0 minimises.
            ObjectiveResult fwd = Objective.create(ObjectiveConfig.DEFAULT
                            .withDivergence(DivergenceConfig.DEFAULT.withTopK(3).withAlpha(0)))
                    .compute(FX.batch(m, m.create(FX.studentLogits, Fixtures.LOGITS)).build());
            assertArrayEquals(fwd.metric("kl").toDoubleArray(), kl, 1e-12);
        }
    }

    @Test
    void forwardKlOverTheVocabularyIsTheSeedPaperUpdate() {
        // sdpo with alpha 0 and K = V: d loss / d logits = (pi_S - pi_T) / (tokens of the response * responses with a teacher).
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withTopK(Fixtures.V).withAlpha(0));
        double[] g = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS,
                (m, x) -> Objective.create(cfg).compute(PolicyBatch.builder(x,
                        m.create(FX.tokens, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)),
                        m.ones(new Shape(Fixtures.R, Fixtures.N, Fixtures.L), x.getDataType()),
                        m.create(FX.rewards, new Shape(Fixtures.R, Fixtures.N)))
                        .teacher(m.create(FX.teacherLogits, Fixtures.LOGITS), null).build()).loss());
        double[] ps = manager.create(FX.studentLogits, Fixtures.LOGITS).softmax(-1).toDoubleArray();
        double[] pt = manager.create(FX.teacherLogits, Fixtures.LOGITS).softmax(-1).toDoubleArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals((ps[i] - pt[i]) / (Fixtures.L * Fixtures.N), g[i], 1e-12);
        }
    }

    @Test
    void responsesWithoutTeacherAreAbsentNotZero() {
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(FX.studentLogits, Fixtures.LOGITS);
            ObjectiveResult withMask = Objective.create(cfg).compute(FX.batch(m, logits).build());
            ObjectiveResult all = Objective.create(cfg).compute(FX.batch(m, logits)
                    .teacher(m.create(FX.teacherLogits, Fixtures.LOGITS), null).build());
            // Recompute run 0 by hand from the per-response losses of the unmasked run.
            NDArray perResponse = Reductions.tokenMeanPerResponse(
                    TopKDivergence.perToken(logits, m.create(FX.teacherLogits, Fixtures.LOGITS), cfg.divergence()),
                    m.create(FX.mask, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)));
            double[] pr = perResponse.toDoubleArray();
            double sum = 0;
            int count = 0;
            for (int n = 0; n < Fixtures.N; n++) {
                if (FX.hasTeacher[n] == 1) {
                    sum += pr[n];
                    count++;
                }
            }
            assertEquals(sum / count, withMask.runLoss().toDoubleArray()[0], 1e-12);
            assertEquals(java.util.Arrays.stream(pr, 0, Fixtures.N).average().orElseThrow(),
                    all.runLoss().toDoubleArray()[0], 1e-12);
            assertEquals(1.0 * count / Fixtures.N, withMask.metric("teacher_frac").toDoubleArray()[0], 1e-12);
        }
    }

    /**
     * The trainer does not score responses without a teacher and hands zero logits instead: the
     * teacher's and the contrastive teachers' logits of those responses must not reach the loss,
     * the gradient or any metric.
     */
    @Test
    void teacherLogitsOfResponsesWithoutTeacherAreNeverRead() {
        double[] teacher = FX.teacherLogits.clone();
        double[] contrastive = FX.contrastiveLogits.clone();
        int perResponse = Fixtures.L * Fixtures.V;
        for (int i = 0; i < teacher.length; i++) {
            if (FX.hasTeacher[i / perResponse] == 0) {
                teacher[i] = 0;
                contrastive[i] = 0;
            }
        }
        for (ObjectiveKind kind : List.of(ObjectiveKind.SDPO, ObjectiveKind.CREDIT, ObjectiveKind.HYBRID)) {
            ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind).withCreditLambda(0.5)
                    .withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
            java.util.function.BiFunction<NDManager, NDArray, ObjectiveResult> zeroed = (m, x) -> Objective.create(cfg).compute(
                    FX.batch(m, x).teacher(m.create(teacher, Fixtures.LOGITS), m.create(FX.hasTeacher, new Shape(Fixtures.R, Fixtures.N)))
                            .contrastive(List.of(m.create(contrastive, Fixtures.LOGITS))).build());
            assertEquals(loss(cfg), GradCheck.value(manager, FX.studentLogits, Fixtures.LOGITS, (m, x) -> zeroed.apply(m, x).loss()),
                    1e-12, kind + " loss");
            assertArrayEquals(grad(cfg), GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS,
                    (m, x) -> zeroed.apply(m, x).loss()), 1e-12, kind + " gradient");
            try (NDManager m = manager.newSubManager()) {
                NDArray x = m.create(FX.studentLogits, Fixtures.LOGITS);
                Map<String, Double> want = Objective.create(cfg).compute(FX.batch(m, x).build()).meanMetrics();
                Map<String, Double> got = zeroed.apply(m, x).meanMetrics();
                assertEquals(want.keySet(), got.keySet());
                want.forEach((k, v) -> assertEquals(v, got.get(k), 1e-12, kind + " metric " + k));
            }
        }
    }

    @Test
    void importanceRatioIsDetachedAndClamped() {
        DivergenceConfig div = DivergenceConfig.DEFAULT.withTopK(3);
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withDivergence(div);
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = m.create(FX.studentLogits, Fixtures.LOGITS);
            NDArray tokenLogp = Distributions.pick(logits.logSoftmax(-1), m.create(FX.tokens, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)));
            // Behaviour policy 10 nats less likely: the raw ratio e^10 must be clamped to is-clip.
            ObjectiveResult off = Objective.create(cfg).compute(FX.batch(m, logits).oldLogProbs(tokenLogp.sub(10)).build());
            ObjectiveResult on = Objective.create(cfg).compute(FX.batch(m, logits).build());
            assertArrayEquals(on.runLoss().mul(2.0).toDoubleArray(), off.runLoss().toDoubleArray(), 1e-12);
        }
    }

    /**
     * The importance ratio weights the divergence but is not differentiated (SPEC 1.2): with a
     * behaviour policy 0.3 nats below the current one at every token, the gradient is exactly
     * e^0.3 times the on-policy gradient, for every distilling objective. A ratio left in the
     * graph adds {@code D * r * d log pi} and breaks the equality; loss values alone cannot see it.
     */
    @Test
    void importanceRatioCarriesNoGradient() {
        for (ObjectiveKind kind : List.of(ObjectiveKind.SDPO, ObjectiveKind.CREDIT)) {
            ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind).withDivergence(DivergenceConfig.DEFAULT.withTopK(3));
            double[] old;
            try (NDManager m = manager.newSubManager()) {
                NDArray logits = m.create(FX.studentLogits, Fixtures.LOGITS);
                old = Distributions.pick(logits.logSoftmax(-1), m.create(FX.tokens, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)))
                        .sub(0.3).toDoubleArray();
            }
            Shape tokens = new Shape(Fixtures.R, Fixtures.N, Fixtures.L);
            double[] off = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, (m, x) -> Objective.create(cfg)
                    .compute(FX.batch(m, x).oldLogProbs(m.create(old, tokens)).build()).loss());
            double[] on = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS,
                    (m, x) -> Objective.create(cfg).compute(FX.batch(m, x).build()).loss());
            double scale = Math.exp(0.3);
            double largest = 0;
            for (int i = 0; i < on.length; i++) {
                assertEquals(scale * on[i], off[i], 1e-9, kind + " gradient " + i);
                largest = Math.max(largest, Math.abs(on[i]));
            }
            assertTrue(largest > 1e-3, "the fixture has a gradient to compare");
        }
    }

    @Test
    void grpoAdvantagesByHand() {
        try (NDManager m = manager.newSubManager()) {
            NDArray r = m.create(new double[] {1, 0, 0.5, 0.5}, new Shape(1, 4));
            double s = Math.sqrt(0.5);
            assertArrayEquals(new double[] {0.5 / (s + 1e-6), -0.5 / (s + 1e-6), 0, 0},
                    Grpo.groupAdvantage(r, 2, true).toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {0.5, -0.5, 0, 0}, Grpo.groupAdvantage(r, 2, false).toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {0, 0, 0, 0}, Grpo.groupAdvantage(r, 1, true).toDoubleArray(), 0);
        }
    }

    @Test
    void grpoWithOneElementGroupsIsFinite() {
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(ObjectiveKind.GRPO);
        double[] g = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS,
                (m, x) -> Objective.create(cfg).compute(FX.batch(m, x).groupSize(1).build()).loss());
        for (double v : g) {
            assertTrue(Double.isFinite(v));
            assertEquals(0, v, 0);
        }
    }

    @Test
    void everyObjectiveReportsTheCommonMetrics() {
        try (NDManager m = manager.newSubManager()) {
            for (ObjectiveKind kind : ObjectiveKind.values()) {
                ObjectiveResult r = Objective.create(ObjectiveConfig.DEFAULT.withName(kind))
                        .compute(FX.batch(m, m.create(FX.studentLogits, Fixtures.LOGITS)).build());
                for (String name : List.of("loss", "reward_mean", "reward_std", "entropy")) {
                    assertEquals(Fixtures.R, r.metric(name).getShape().get(0), kind + " " + name);
                }
                if (kind == ObjectiveKind.SDPO || kind == ObjectiveKind.CREDIT || kind == ObjectiveKind.HYBRID) {
                    r.metric("kl");
                }
                assertTrue(r.meanMetrics().get("entropy") <= Math.log(Fixtures.V) + 1e-9);
            }
        }
    }

    @Test
    void missingInputsAreNamed() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(FX.studentLogits, Fixtures.LOGITS);
            PolicyBatch bare = PolicyBatch.builder(x, m.create(FX.tokens, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)),
                    m.create(FX.mask, new Shape(Fixtures.R, Fixtures.N, Fixtures.L)),
                    m.create(FX.rewards, new Shape(Fixtures.R, Fixtures.N))).build();
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> Objective.create(ObjectiveConfig.DEFAULT).compute(bare)).getMessage().contains("teacher"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> Objective.create(ObjectiveConfig.DEFAULT.withName(ObjectiveKind.ADVANTAGE_WEIGHTED)).compute(bare))
                    .getMessage().contains("quality"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> PolicyBatch.builder(x, x, x, x).build()).getMessage().contains("rank"));
        }
    }
}
