package sdpo4j.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;

/** The report's statistics on hand-written logs whose answer is known. */
class CompareReportTest {
    @TempDir
    Path dir;

    /** Two steps; step 2 evaluates to {@code tasks} (per task), step 1 to all zeros. */
    private RunLog log(String method, long seed, double... tasks) throws Exception {
        StringBuilder perTask = new StringBuilder();
        double mean = 0;
        for (double t : tasks) {
            perTask.append(perTask.isEmpty() ? "" : ",").append(t);
            mean += t / tasks.length;
        }
        String zeros = String.join(",", java.util.Collections.nCopies(tasks.length, "0.0"));
        Path f = dir.resolve(method + seed + ".jsonl");
        Files.writeString(f, "{\"step\":1,\"response_length_mean\":2.0,\"eval_greedy_accuracy\":0.0,"
                + "\"eval_greedy_accuracy_per_task\":[" + zeros + "],\"wall_time\":1.0}\n"
                + "{\"step\":2,\"response_length_mean\":3.0,\"eval_greedy_accuracy\":" + mean
                + ",\"eval_greedy_accuracy_per_task\":[" + perTask + "],\"wall_time\":2.5}\n");
        return RunLog.read(method, seed, f, 4);
    }

    private String report(List<RunLog> logs) throws Exception {
        return report(logs, "[0, 1, 2]");
    }

    private String report(List<RunLog> logs, String seeds) throws Exception {
        CompareConfig cfg = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, null,
                List.of("methods=[grpo, sdpo, credit]", "seeds=" + seeds, "target-accuracy=0.5", "bootstrap-replicates=500"));
        return Files.readString(CompareReport.write(cfg, logs, dir));
    }

    @Test
    void verdictsFollowThePairedDifferenceFromTheBaseline() throws Exception {
        List<RunLog> logs = new ArrayList<>();
        for (long s = 0; s < 3; s++) {
            logs.add(log("grpo", s, 0, 1, 0, 1, 0, 1));
            logs.add(log("sdpo", s, 1, 1, 1, 1, 1, 1)); // solves every task grpo solves, and the rest
            logs.add(log("credit", s, s == 0 ? 1 : 0, 1, 0, s == 1 ? 1 : 0, 0, 0)); // mixed
        }
        String md = report(logs);
        assertTrue(md.contains("**sdpo vs grpo: better**"), md);
        assertTrue(md.contains("| sdpo | +0.500 [+0.278, +0.722] |"), md);
        assertTrue(md.contains("**credit vs grpo: not distinguishable at this budget**"), md);
        assertTrue(md.contains("3 seeds x 6 tasks"), md);
        // reaching 0.5 at step 2: 8 generations, 4 x (2 + 3) = 20 tokens, 2.5 s; credit never averages 0.5
        assertTrue(md.contains("| grpo | 3/3 | 2.000 [2.000, 2.000] | 8.000 [8.000, 8.000] | 20.000 [20.000, 20.000] "
                + "| 2.500 [2.500, 2.500] |"), md);
        assertTrue(md.contains("| credit | 0/3 | n/a |"), md);
    }

    @Test
    void aMethodBelowTheBaselineIsWorse() throws Exception {
        List<RunLog> logs = new ArrayList<>();
        for (long s = 0; s < 3; s++) {
            logs.add(log("grpo", s, 1, 1, 1, 1, 0, 1));
            logs.add(log("sdpo", s, 0, 1, 0, 0, 0, 1));
            logs.add(log("credit", s, 1, 1, 1, 1, 0, 1));
        }
        String md = report(logs);
        assertTrue(md.contains("**sdpo vs grpo: worse**"), md);
        assertTrue(md.contains("**credit vs grpo: not distinguishable at this budget**"), md);
        assertTrue(md.contains("| credit | +0.000 [+0.000, +0.000] |"), md);
    }

    @Test
    void oneSeedIsNeverRankedEvenWhenTheTasksSeparateTheRuns() throws Exception {
        List<RunLog> logs = new ArrayList<>();
        logs.add(log("grpo", 0, 0, 0, 0, 0, 0, 0));
        logs.add(log("sdpo", 0, 1, 1, 1, 1, 1, 1));
        logs.add(log("credit", 0, 0, 0, 0, 0, 0, 0));
        String md = report(logs, "[0]");
        assertTrue(md.contains("**sdpo vs grpo: not ranked: one seed (over held-out tasks alone: better)**"), md);
        assertTrue(md.contains("1 seed x 6 tasks"), md);
    }

    @Test
    void anAblationIsPairedWithItsOwnReferenceAndGetsARowInTheAblationTable() throws Exception {
        CompareConfig cfg = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, null,
                List.of("methods=[grpo, sdpo]", "seeds=[0, 1, 2]", "bootstrap-replicates=500"));
        List<Arm> arms = new ArrayList<>(Comparison.methodArms(cfg));
        arms.add(new Arm("ema-0", cfg.train().toBuilder().emaRate(0).build(), "sdpo", "EMA rate", "0 (frozen)", "ema-rate: 0.0"));
        List<RunLog> logs = new ArrayList<>();
        for (long s = 0; s < 3; s++) {
            logs.add(log("grpo", s, 0, 0, 0, 0, 0, 0));
            logs.add(log("sdpo", s, 0, 1, 0, 1, 0, 1));
            logs.add(log("ema-0", s, 0, 1, 0, 1, 0, 1)); // sdpo's results exactly: far above grpo, level with sdpo
        }
        String md = Files.readString(CompareReport.write(cfg, arms, logs, dir));
        // ema-0's values are those of sdpo - grpo (0, 1, 0, 1, 0, 1 on every seed): the same resamples, the same interval
        assertTrue(md.startsWith("# Ablations\n"), md);
        assertTrue(md.contains("| EMA rate | 0 (frozen) | ema-0 | `ema-rate: 0.0` | 0.500 [0.278, 0.722] | sdpo | "
                + "+0.000 [+0.000, +0.000] | not distinguishable at this budget |"), md);
        assertTrue(md.contains("## Against each arm's reference"), md);
        assertTrue(md.contains("| sdpo | grpo | +0.500 [+0.278, +0.722] | "), md);
        assertTrue(md.contains("**sdpo vs grpo: better**"), md);
        assertTrue(md.contains("**ema-0 vs sdpo: not distinguishable at this budget**"), md);
        assertTrue(!md.contains("ema-0 vs grpo"), md);
    }

    @Test
    void meanCurvesAverageXAndYAtEachStep() throws Exception {
        double[][] c = CompareReport.meanCurve(List.of(log("grpo", 0, 1, 1), log("grpo", 1, 0, 0)),
                "eval_greedy_accuracy", RunLog.GENERATED_TOKENS);
        assertEquals(8.0, c[0][0]);
        assertEquals(20.0, c[0][1]);
        assertEquals(0.5, c[1][1]);
    }
}
