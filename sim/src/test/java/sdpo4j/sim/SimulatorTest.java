package sdpo4j.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sdpo4j.env.sequence.WorldConfig;

class SimulatorTest {
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static RunSpec run(SimMethod m, FeedbackType f, double sigma, long seed) {
        return new RunSpec("test", m, f, sigma, 0, false, 0, 1, seed);
    }

    static SimConfig shortConfig(int steps) {
        SimConfig p = SimConfig.PAPER;
        return p.toBuilder().steps(steps).seeds(2).finalWindow(Math.min(steps, p.finalWindow())).baselinesSeeTrueReward(true)
                .sets(List.of("method-feedback")).build();
    }

    @Test
    void rewardMatchesAHandComputation() {
        World w = new World(manager, WorldConfig.DEFAULT, new long[] {3, 4});
        long[] tokens = {0, 1, 2, 3, 4, 5, 7, 7, 7, 0, 0, 0};
        float[] reward = w.reward(w.rollouts(manager, tokens, 1)).toFloatArray();
        for (int r = 0; r < 2; r++) {
            double sum = 0;
            for (int t = 0; t < 6; t++) {
                int v = (int) tokens[r * 6 + t];
                sum += w.quality(r, t, v);
                if (t < 5) {
                    sum += w.host(r).bigram(v, (int) tokens[r * 6 + t + 1]);
                }
                sum += w.host(r).target(t) == v ? 1.0 : 0.0;
            }
            assertEquals(1 / (1 + Math.exp(-sum / 6)), reward[r], 1e-6);
        }
    }

    @Test
    void rolloutsLookUpTheWorldsTables() {
        // Every lookup against the host world, exactly (a lookup copies a float32 entry); the
        // favoured share is a count over positions divided once, as the biased judge reads it.
        World w = new World(manager, WorldConfig.DEFAULT, new long[] {12, 13, 14});
        java.util.SplittableRandom gen = new java.util.SplittableRandom(5);
        int b = 50;
        long[] tokens = new long[3 * b * 6];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = gen.nextInt(8);
        }
        Rollouts s = w.rollouts(manager, tokens, b);
        assertArrayEquals(tokens, s.tokens().toLongArray());
        assertEquals(new Shape(3, b, 5), s.bigram().getShape());
        float[] q = s.quality().toFloatArray();
        float[] bigram = s.bigram().toFloatArray();
        float[] matches = s.matches().toFloatArray();
        float[] favoured = s.favoured().toFloatArray();
        for (int r = 0; r < 3; r++) {
            int worst = w.host(r).worstToken();
            for (int k = 0; k < b; k++) {
                int seq = r * b + k;
                int hits = 0;
                int worstCount = 0;
                for (int t = 0; t < 6; t++) {
                    int v = (int) tokens[seq * 6 + t];
                    assertEquals((float) w.quality(r, t, v), q[seq * 6 + t], 0f);
                    if (t < 5) {
                        assertEquals((float) w.host(r).bigram(v, (int) tokens[seq * 6 + t + 1]), bigram[seq * 5 + t], 0f);
                    }
                    hits += w.host(r).target(t) == v ? 1 : 0;
                    worstCount += v == worst ? 1 : 0;
                }
                assertEquals(hits, matches[seq], 0f);
                assertEquals(worstCount / 6f, favoured[seq], 0f);
            }
        }
    }

    @Test
    void oraclesAreInRangeAndQuantised() {
        FeedbackType[] types = {FeedbackType.BINARY, FeedbackType.ORDINAL, FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE};
        World w = new World(manager, WorldConfig.DEFAULT, new long[] {1, 1, 1, 1});
        Oracles o = new Oracles(manager, types, new double[] {0.3, 0.3, 0, 0}, new double[4]);
        Rollouts rollouts = w.rollouts(manager, manager.randomInteger(0, 8, new Shape(4, 200, 6), DataType.INT64).toLongArray(), 200);
        NDArray score = w.score(rollouts);
        NDArray reward = ai.djl.nn.Activation.sigmoid(score);
        NDArray quality = rollouts.quality();
        Feedback f = o.observe(rollouts, score,
                manager.randomNormal(new Shape(4, 200)), manager.randomNormal(new Shape(4, 200, 6)));
        float[] fs = f.score().toFloatArray();
        float[] rs = reward.toFloatArray();
        for (int i = 0; i < 200; i++) {
            assertTrue(fs[i] == 0 || fs[i] == 1, "binary " + fs[i]);
            float ord = fs[200 + i] * 4;
            assertEquals(Math.round(ord), ord, 1e-6, "ordinal is a multiple of 1/4");
            assertTrue(fs[200 + i] >= 0 && fs[200 + i] <= 1);
            assertEquals(rs[400 + i], fs[400 + i], 1e-6, "noise-free continuous feedback is the reward");
            assertEquals(rs[600 + i], fs[600 + i], 1e-6);
        }
        // Noise-free critique hints are the exact token quality.
        assertArrayEquals(quality.get("3").toFloatArray(), f.hints().get("3").toFloatArray(), 1e-6f);
    }

    @Test
    void analyticTeacherMatchesAHandComputation() {
        FeedbackType[] types = {FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE, FeedbackType.CRITIQUE_LITERAL};
        Teachers teachers = new Teachers(manager, 1.5, types, new double[] {1, 1, 2});
        World w = new World(manager, WorldConfig.DEFAULT, new long[] {5, 6, 7});
        NDArray logits = manager.randomNormal(new Shape(3, 6, 8));
        NDArray tokens = manager.randomInteger(0, 8, new Shape(3, 2, 6), DataType.INT64);
        NDArray fScore = manager.create(new float[] {0.7f, 0.2f, 0.4f, 0.9f, 0.5f, 0.6f}, new Shape(3, 2));
        NDArray hints = manager.randomNormal(new Shape(3, 2, 6));
        float[] teacher = teachers.logits(logits, w.quality, new Feedback(fScore, hints), tokens).toFloatArray();
        float[] l = logits.toFloatArray();
        long[] s = tokens.toLongArray();
        float[] f = fScore.toFloatArray();
        float[] h = hints.toFloatArray();
        for (int r = 0; r < 3; r++) {
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 6; t++) {
                    double[] p = softmax(l, (r * 6 + t) * 8);
                    double expectedQ = 0;
                    for (int v = 0; v < 8; v++) {
                        expectedQ += p[v] * w.quality(r, t, v);
                    }
                    for (int v = 0; v < 8; v++) {
                        double q = w.quality(r, t, v);
                        double fi = f[r * 2 + b];
                        double ht = h[(r * 2 + b) * 6 + t];
                        double want = switch (types[r]) {
                            case CONTINUOUS -> l[(r * 6 + t) * 8 + v] + 1.5 * fi * q;
                            case CRITIQUE -> l[(r * 6 + t) * 8 + v] + 1.5 * fi * q
                                    + (s[(r * 2 + b) * 6 + t] == v ? 1.5 * (ht - expectedQ) : 0);
                            default -> (l[(r * 6 + t) * 8 + v] + 1.5 * fi * (q - ht)) / 2; // teacher temperature 2
                        };
                        assertEquals(want, teacher[((r * 2 + b) * 6 + t) * 8 + v], 1e-5, "run " + r + " v " + v);
                    }
                }
            }
        }
    }

    private static double[] softmax(float[] x, int from) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < 8; v++) {
            max = Math.max(max, x[from + v]);
        }
        double[] p = new double[8];
        double sum = 0;
        for (int v = 0; v < 8; v++) {
            p[v] = Math.exp(x[from + v] - max);
            sum += p[v];
        }
        for (int v = 0; v < 8; v++) {
            p[v] /= sum;
        }
        return p;
    }

    @Test
    void aRunIsDeterministicAndIndependentOfItsBatch() {
        SimConfig cfg = shortConfig(20);
        RunSpec target = run(SimMethod.SDPO, FeedbackType.ORDINAL, 0.2, 11);
        CohortResult alone = new Cohort(cfg, List.of(target)).train(manager, null);
        CohortResult again = new Cohort(cfg, List.of(target)).train(manager, null);
        CohortResult crowd = new Cohort(cfg, List.of(
                run(SimMethod.SDPO, FeedbackType.BINARY, 0, 3), target, run(SimMethod.SDPO, FeedbackType.CRITIQUE, 0.5, 4)))
                .train(manager, null);
        for (int step = 0; step < 20; step++) {
            assertEquals(alone.reward()[step][0], again.reward()[step][0], 0f, "same numbers twice");
            assertEquals(alone.credit()[step][0], again.credit()[step][0], 0f);
            assertEquals(alone.reward()[step][0], crowd.reward()[step][1], 1e-6f, "batch composition does not matter");
            assertEquals(alone.entropy()[step][0], crowd.entropy()[step][1], 1e-5f);
        }
    }

    @Test
    void sdpoBeatsReinforceInTheDefaultWorld() {
        SimConfig cfg = shortConfig(300);
        List<RunSpec> sdpo = new java.util.ArrayList<>();
        List<RunSpec> rf = new java.util.ArrayList<>();
        for (long seed = 0; seed < 5; seed++) {
            sdpo.add(run(SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, seed));
            rf.add(run(SimMethod.REINFORCE, FeedbackType.CONTINUOUS, 0, seed));
        }
        double s = finalReward(new Cohort(cfg, sdpo).train(manager, null));
        double r = finalReward(new Cohort(cfg, rf).train(manager, null));
        assertTrue(s > r + 0.08, "SDPO " + s + " vs REINFORCE " + r);
    }

    private static double finalReward(CohortResult c) {
        double sum = 0;
        int n = 0;
        for (int step = c.reward().length - 20; step < c.reward().length; step++) {
            for (float v : c.reward()[step]) {
                sum += v;
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void literalCritiqueIsTheContinuousOracle() {
        SimConfig cfg = shortConfig(60);
        CohortResult c = new Cohort(cfg, List.of(
                run(SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 2), run(SimMethod.SDPO, FeedbackType.CRITIQUE_LITERAL, 0, 2)))
                .train(manager, null);
        for (int step = 0; step < 60; step++) {
            assertEquals(c.reward()[step][0], c.reward()[step][1], 1e-5f);
        }
    }

    @Test
    void creditCorrelationOfTheTrueAdvantageDirection() {
        // The metric the cohort records, fed A* and -A* directly: 1 and -1.
        World w = new World(manager, WorldConfig.DEFAULT, new long[] {9});
        NDArray logProbs = manager.randomNormal(new Shape(1, 6, 8)).logSoftmax(-1);
        NDArray a = sdpo4j.optim.CreditCorrelation.trueAdvantage(w.quality, logProbs);
        assertEquals(1.0, sdpo4j.optim.CreditCorrelation.perPosition(a, a).mean().getFloat(), 1e-5);
        assertEquals(-1.0, sdpo4j.optim.CreditCorrelation.perPosition(a.neg(), a).mean().getFloat(), 1e-5);
    }
}
