package sdpo4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each verdict of the simulator report flips with the numbers, at its stated threshold. */
class VerdictsTest {

    @Test
    void reinforceSignFollowsTheMeasuredCorrelation() {
        assertEquals("reproduces", Verdicts.of(Verdicts.reinforceCreditNegative(-0.6)));
        assertEquals("does not reproduce", Verdicts.of(Verdicts.reinforceCreditNegative(0.4)));
    }

    @Test
    void nearZeroHasItsThreshold() {
        assertTrue(Verdicts.nearZero(-0.149));
        assertFalse(Verdicts.nearZero(0.151));
        assertFalse(Verdicts.nearZero(-0.151));
    }

    @Test
    void sdpoLowersEntropyOnlyWhenEveryFeedbackTypeIsBelowReinforce() {
        assertTrue(Verdicts.lowersEntropy(new double[] {1.6, 1.7, 1.75, 1.8}, 2.07));
        assertFalse(Verdicts.lowersEntropy(new double[] {1.6, 1.7, 2.08, 1.8}, 2.07));
        assertFalse(Verdicts.lowersEntropy(new double[] {1.6, Double.NaN, 1.75, 1.8}, 2.07));
    }

    @Test
    void literalCritiqueIsFloatRoundingOnlyWithinTheThreshold() {
        String same = SimReport.literalCritique(0.6412345, 0.6412349, 0.71, 0.71);
        assertTrue(same.contains("is the continuous teacher: reproduces.") && same.contains(" float rounding (rule"), same);
        String apart = SimReport.literalCritique(0.641, 0.652, 0.71, 0.71);
        assertTrue(apart.contains("is the continuous teacher: does not reproduce.")
                && apart.contains("more than float rounding") && !apart.contains("cannot differ"), apart);
    }

    @Test
    void noiseCostFollowsTheMeasuredDropAndTheCrossover() {
        String little = SimReport.noiseCost(0.60, 0.0, 0.585, 0.5, false);
        assertTrue(little.startsWith("- **Noise costs SDPO little: reproduces.**"), little);
        assertTrue(little.contains("0.600 at sigma 0.0 to 0.585 at sigma 0.5 (-2.5%)"), little);
        // The paper's numbers are quoted as the paper's, apart from the measured ones.
        assertTrue(little.contains("The paper reports 0.641 to 0.624 at sigma 0.5 (-2.7%)"), little);
        assertTrue(SimReport.noiseCost(0.60, 0.0, 0.50, 0.5, false).startsWith("- **Noise costs SDPO little: does not reproduce.**"));
        assertTrue(SimReport.noiseCost(0.60, 0.0, 0.59, 0.5, true).startsWith("- **Noise costs SDPO little: does not reproduce.**"));
    }
}
