package sdpo4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    /** x[s][t] = mu + seed effect (sd seedSd) + task noise (sd 1). */
    private static double[][] sample(Random rng, double mu, int seeds, int tasks, double seedSd) {
        double[][] x = new double[seeds][tasks];
        for (int s = 0; s < seeds; s++) {
            double offset = seedSd * rng.nextGaussian();
            for (int t = 0; t < tasks; t++) {
                x[s][t] = mu + offset + rng.nextGaussian();
            }
        }
        return x;
    }

    private static double coverage(int seeds, int tasks, double seedSd, boolean flatten) {
        Random rng = new Random(7);
        int trials = 200;
        int covered = 0;
        for (int i = 0; i < trials; i++) {
            double[][] x = sample(rng, 0.3, seeds, tasks, seedSd);
            if (flatten) {
                double[][] one = new double[1][seeds * tasks];
                for (int s = 0; s < seeds; s++) {
                    System.arraycopy(x[s], 0, one[0], s * tasks, tasks);
                }
                x = one;
            }
            Interval ci = new Bootstrap(500, i, 0.95).mean(x);
            covered += ci.lo() <= 0.3 && 0.3 <= ci.hi() ? 1 : 0;
        }
        return covered / (double) trials;
    }

    @Test
    void coversAKnownMeanAboutNinetyFivePercentOfTheTime() {
        double iid = coverage(1, 60, 0, false);
        assertTrue(iid >= 0.89 && iid <= 0.99, "i.i.d. coverage " + iid);
        double nested = coverage(20, 10, 0.5, false);
        assertTrue(nested >= 0.88 && nested <= 0.99, "seeds x tasks coverage " + nested);
    }

    @Test
    void ignoringTheSeedLevelUnderCoversWhenSeedsVary() {
        // the same data pooled as one seed: the between-seed spread is lost and the interval too narrow
        assertTrue(coverage(20, 10, 0.5, true) < 0.75);
    }

    @Test
    void pairedDifferenceHasTheSignOfTheBetterMethodAndCancelsSharedVariation() {
        Random rng = new Random(3);
        double[][] a = sample(rng, 0.4, 5, 50, 0.3);
        double[][] b = new double[5][50];
        for (int s = 0; s < 5; s++) {
            for (int t = 0; t < 50; t++) {
                b[s][t] = a[s][t] + 0.05 + 0.01 * rng.nextGaussian();
            }
        }
        Bootstrap boot = new Bootstrap(1000, 0, 0.95);
        Interval up = boot.pairedDifference(b, a);
        Interval down = boot.pairedDifference(a, b);
        assertEquals(0.05, up.estimate(), 0.005);
        assertEquals(Verdict.BETTER, Verdict.of(up), up.format());
        assertEquals(Verdict.WORSE, Verdict.of(down), down.format());
        // unpaired, the two means' intervals overlap: the shared seed and task effects hide the gap
        Interval ma = boot.mean(a);
        Interval mb = boot.mean(b);
        assertTrue(mb.lo() < ma.hi(), ma.format() + " vs " + mb.format());
        assertEquals(Verdict.NOT_DISTINGUISHABLE, Verdict.of(boot.pairedDifference(a, a)));
    }

    @Test
    void theSameSeedGivesTheSameInterval() {
        double[][] x = sample(new Random(1), 0, 3, 20, 0.2);
        assertEquals(new Bootstrap(300, 5, 0.95).mean(x), new Bootstrap(300, 5, 0.95).mean(x));
        assertNotEquals(new Bootstrap(300, 5, 0.95).mean(x), new Bootstrap(300, 6, 0.95).mean(x));
    }

    @Test
    void quantileInterpolatesAsNumpy() {
        double[] sorted = {1, 2, 3, 4};
        assertEquals(1.075, Bootstrap.quantile(sorted, 0.025), 1e-12);
        assertEquals(3.925, Bootstrap.quantile(sorted, 0.975), 1e-12);
        assertEquals(2.5, Bootstrap.quantile(sorted, 0.5), 1e-12);
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        Bootstrap boot = new Bootstrap(10, 0, 0.95);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> boot.mean(new double[0][]))
                .getMessage().contains("no seeds"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> boot.pairedDifference(new double[][] {{1, 2}}, new double[][] {{1}})).getMessage().contains("same tasks"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> boot.mean(new double[][] {{Double.NaN}}))
                .getMessage().contains("non-finite"));
    }

    @Test
    void aStatisticOfAllDrawsIsTheMeanWhenItIsTheMean() {
        double[][] x = sample(new Random(3), 0.5, 4, 7, 0.2);
        Bootstrap b = new Bootstrap(300, 5, 0.95);
        Interval viaMean = b.mean(x);
        Interval viaStatistic = b.statistic(new int[] {7, 7, 7, 7}, d -> {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < d.seeds().length; i++) {
                for (int t : d.tasks()[i]) {
                    sum += x[d.seeds()[i]][t];
                    n++;
                }
            }
            return sum / n;
        });
        assertEquals(viaMean, viaStatistic);
    }

    @Test
    void anInfiniteStatisticGivesAnInfiniteBoundNotANan() {
        // a level reached in under half of the draws: the upper bound is "never"
        Interval i = new Bootstrap(400, 1, 0.95).statistic(new int[] {2, 2}, d -> d.tasks()[0][0] == 0 ? 1 : Double.POSITIVE_INFINITY);
        assertEquals(1, i.lo());
        assertEquals(Double.POSITIVE_INFINITY, i.hi());
    }
}
