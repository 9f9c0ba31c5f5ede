package sdpo4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.CliRun;
import sdpo4j.stats.Median;

/** sim-bench's pairing of full experiments with NumPy reference runs, at a size that takes seconds. */
class SimBenchCommandTest {
    /** The reference script, from the sim module's directory (where Maven runs the tests). */
    static final Path SCRIPT = Path.of("bench/numpy_reference.py");

    @TempDir
    Path dir;

    /** A two-step paper config: the full experiment (330 runs) in well under a second. */
    private Path tinyConfig() throws IOException {
        Path cfg = dir.resolve("tiny.yaml");
        Files.writeString(cfg, "steps: 2\nfinal-window: 1\n");
        return cfg;
    }

    @Test
    void theFullExperimentsSpeedUpIsTheMedianOfThePairsOwnRatios() {
        List<String> lines = SimBenchCommand.summary(
                List.of(new SimBenchmark.Point("SDPO cohort", 100, 300, 300 * 100 * 0.04 / 1000)),
                0.08, new double[] {0.02, 0.02, 0.04}, new double[] {0.2, 0.1, 0.3});
        // Ratios 10, 5 and 7.5: median 7.5 (the median NumPy run over the median run would say 10).
        assertEquals(List.of("speed-up per run-step, SDPO cohort of  100: 5.0x (against the median NumPy run)",
                "speed-up per run-step, full experiment:    2.5x (first run, against the median NumPy run), 7.5x (median of 3 pairs)"),
                lines);
        assertThrows(IllegalArgumentException.class,
                () -> SimBenchCommand.summary(List.of(), 0.1, new double[] {0.02}, new double[] {0.2, 0.1}));
    }

    @Test
    void badPairsOrReferenceIsOneLineAndExitCodeTwo() {
        CliRun pairs = CliRun.of("sim-bench", "--pairs", "0");
        assertEquals(2, pairs.code());
        assertEquals("error: --pairs 0: at least 1 (a full experiment timed beside a NumPy reference run)", pairs.err().strip());
        CliRun missing = CliRun.of("sim-bench", "--reference", dir.resolve("nope.py").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().strip().startsWith("error: --reference " + dir.resolve("nope.py") + ": no such file"), missing.err());
        assertEquals(1, missing.err().strip().lines().count());
    }

    @Test
    void withoutNumpyTheFirstPairSaysSoAndStops() throws IOException {
        CliRun r = CliRun.of("sim-bench", "--config", tinyConfig().toString(), "--sizes", "2", "--pairs", "3",
                "--reference", SCRIPT.toString(), "--python", "/bin/false");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("all sets, 2 thread(s), first"), r.out());
        assertTrue(r.out().contains("all sets, 2 thread(s), pair 1"), r.out());
        assertTrue(r.out().contains("numpy reference: not run (/bin/false with numpy not found)"), r.out());
        assertTrue(!r.out().contains("pair 2"), "no more pairs once the reference cannot run: " + r.out());
    }

    @Test
    void eachPairsSpeedUpIsItsOwnRatioAndTheSummaryTheirMedian() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("python3", "-c", "import numpy").start();
        assumeTrue(probe.waitFor() == 0, "needs python3 with numpy");
        CliRun r = CliRun.of("sim-bench", "--config", tinyConfig().toString(), "--sizes", "2", "--pairs", "3",
                "--reference", SCRIPT.toString());
        assertEquals(0, r.code(), r.err());
        // Each pair: the full experiment's ms/run-step, then the reference's and their ratio.
        Matcher run = Pattern.compile("all sets, 2 thread\\(s\\), pair (\\d) .* ([0-9.]+) ms/run-step").matcher(r.out());
        Matcher ref = Pattern.compile("pair (\\d)\\s+([0-9.]+) ms/run-step\\s+speed-up ([0-9.]+)x").matcher(r.out());
        double[] ratios = new double[3];
        for (int i = 0; i < 3; i++) {
            assertTrue(run.find() && ref.find(), r.out());
            assertEquals(i + 1, Integer.parseInt(run.group(1)));
            assertEquals(i + 1, Integer.parseInt(ref.group(1)));
            double expected = Double.parseDouble(ref.group(2)) / Double.parseDouble(run.group(2));
            ratios[i] = Double.parseDouble(ref.group(3));
            // Printed to one decimal from unrounded figures: within rounding of the printed ones.
            assertEquals(expected, ratios[i], 0.05 + 0.01 * expected, r.out());
        }
        Matcher summary = Pattern.compile("full experiment: .*, ([0-9.]+)x \\(median of 3 pairs\\)").matcher(r.out());
        assertTrue(summary.find(), r.out());
        double median = Median.of(ratios);
        assertEquals(median, Double.parseDouble(summary.group(1)), 0.051, r.out());
    }
}
