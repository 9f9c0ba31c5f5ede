package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Finite-difference checks of every objective's loss gradient with respect to the student logits. */
class ObjectiveGradientTest {
    static NDManager manager;
    static final Fixtures FX = new Fixtures(42);

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static BiFunction<NDManager, NDArray, NDArray> loss(ObjectiveConfig cfg, boolean offPolicy) {
        Objective objective = Objective.create(cfg);
        return (m, x) -> {
            PolicyBatch.Builder b = FX.batch(m, x);
            if (offPolicy) {
                b.oldLogProbs(FX.oldLogProbs(m));
            }
            return objective.compute(b.build()).loss();
        };
    }

    static ObjectiveConfig config(ObjectiveKind kind) {
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind)
                .withDivergence(DivergenceConfig.DEFAULT.withTopK(3))
                .withCreditLambda(0.3);
        // The rule-based hybrid weight depends on the logits through a detached KL, which finite
        // differences would see; a fixed weight isolates the gradient of the mixture itself.
        return kind == ObjectiveKind.HYBRID ? cfg.withHybrid(HybridConfig.builder().forceAlpha(0.3).build()) : cfg;
    }

    @ParameterizedTest
    @EnumSource(value = ObjectiveKind.class, names = {"REINFORCE", "ADVANTAGE_WEIGHTED", "SDPO", "CREDIT", "HYBRID"})
    void onPolicyGradientMatchesFiniteDifferences(ObjectiveKind kind) {
        GradCheck.assertGradientsMatch(manager, FX.studentLogits, Fixtures.LOGITS, loss(config(kind), false), 1e-6);
    }

    @org.junit.jupiter.api.Test
    void clippedRatioGradientMatchesFiniteDifferences() {
        // A fixed behaviour policy: on-policy GRPO's ratio is identically 1 under perturbation.
        GradCheck.assertGradientsMatch(manager, FX.studentLogits, Fixtures.LOGITS, loss(config(ObjectiveKind.GRPO), true), 1e-6);
    }

    @org.junit.jupiter.api.Test
    void hybridGradientIsTheWeightedSumOfItsParts() {
        // Off-policy, the distillation term carries a detached ratio that finite differences
        // would differentiate; the mixture identity checks the hybrid against its two parts.
        ObjectiveConfig hybrid = config(ObjectiveKind.HYBRID).withHybrid(HybridConfig.builder().fallback(ObjectiveKind.GRPO).forceAlpha(0.3).build());
        double[] h = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(hybrid, true));
        double[] sd = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(hybrid.withName(ObjectiveKind.SDPO), true));
        double[] gr = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(hybrid.withName(ObjectiveKind.GRPO), true));
        for (int i = 0; i < h.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(0.3 * sd[i] + 0.7 * gr[i], h[i], 1e-12);
        }
    }

    @org.junit.jupiter.api.Test
    void distillationWeightMixesGrpoIntoSdpo() {
        // sdpo with distillation-weight w is (1 - w) * grpo + w * sdpo, the hybrid with force-alpha w
        // and the grpo fallback: the same gradient, term by term, and the same objective.
        ObjectiveConfig weighted = config(ObjectiveKind.SDPO).toBuilder().distillationWeight(0.3).build();
        double[] w = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(weighted, true));
        double[] sd = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(config(ObjectiveKind.SDPO), true));
        double[] gr = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(config(ObjectiveKind.GRPO), true));
        double[] h = GradCheck.autograd(manager, FX.studentLogits, Fixtures.LOGITS, loss(config(ObjectiveKind.HYBRID)
                .withHybrid(HybridConfig.builder().fallback(ObjectiveKind.GRPO).forceAlpha(0.3).build()), true));
        for (int i = 0; i < w.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(0.3 * sd[i] + 0.7 * gr[i], w[i], 1e-12);
            org.junit.jupiter.api.Assertions.assertEquals(h[i], w[i], 0.0);
        }
        org.junit.jupiter.api.Assertions.assertEquals(ObjectiveKind.HYBRID, weighted.effective().name());
        ObjectiveConfig plain = config(ObjectiveKind.SDPO);
        org.junit.jupiter.api.Assertions.assertSame(plain, plain.effective(), "weight 1 is sdpo itself");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5, 1.0})
    void sdpoAndCreditGradientsForEachAlpha(double alpha) {
        for (ObjectiveKind kind : new ObjectiveKind[] {ObjectiveKind.SDPO, ObjectiveKind.CREDIT}) {
            for (boolean tail : new boolean[] {true, false}) {
                for (int k : new int[] {3, Fixtures.V}) {
                    ObjectiveConfig cfg = config(kind).withDivergence(
                            DivergenceConfig.DEFAULT.withTopK(k).withAlpha(alpha).withTailBucket(tail));
                    GradCheck.assertGradientsMatch(manager, FX.studentLogits, Fixtures.LOGITS, loss(cfg, false), 1e-6);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void grpoVariantsGradient(boolean scaleStd) {
        for (Aggregation agg : Aggregation.values()) {
            ObjectiveConfig cfg = config(ObjectiveKind.GRPO).withGrpo(GrpoConfig.builder().scaleStd(scaleStd).epsHigh(0.28).klBeta(0.05).aggregation(agg).build());
            BiFunction<NDManager, NDArray, NDArray> f = (m, x) -> Objective.create(cfg).compute(
                    FX.batch(m, x).oldLogProbs(FX.oldLogProbs(m)).refLogProbs(FX.oldLogProbs(m).add(0.3)).build()).loss();
            GradCheck.assertGradientsMatch(manager, FX.studentLogits, Fixtures.LOGITS, f, 1e-6);
        }
    }
}
