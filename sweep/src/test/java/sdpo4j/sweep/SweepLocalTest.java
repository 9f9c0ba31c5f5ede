package sdpo4j.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.DoubleNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.AtomicFiles;
import sdpo4j.sim.SimConfig;
import sdpo4j.sim.SimSummary;
import sdpo4j.sim.Simulation;

/**
 * A small simulator sweep on the real engine: under local[1] and local[2] every cell's metrics
 * equal those of the same config run alone (no Spark, the simulator directly), and a restart
 * runs only the cell that is missing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepLocalTest {
    static final List<String> FIXED = List.of("steps=12", "rollouts=8", "final-window=4", "sets=[multi-seed]");
    static final SweepConfig SWEEP = SweepConfig.builder().base(SweepBase.SIM).set(FIXED)
            .grid(List.of(new GridAxis("lr", List.of(DoubleNode.valueOf(0.02), DoubleNode.valueOf(0.05)))))
            .seeds(List.of(3L, 4L)).build();
    /** No web UI in tests (the console still names it "disabled"). */
    static final Map<String, String> CONF = Map.of("spark.ui.enabled", "false");

    @TempDir
    static Path tmp;
    Sweep.Outcome one;
    Sweep.Outcome two;
    String console;

    @BeforeAll
    void runBoth() {
        one = Sweep.run(SWEEP, tmp.resolve("one"), "local[1]", CONF, "test", System.out);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        two = Sweep.run(SWEEP, tmp.resolve("two"), "local[2]", CONF, "test", new PrintStream(out, true, StandardCharsets.UTF_8));
        console = out.toString(StandardCharsets.UTF_8);
    }

    /** The cell's config built independently of the sweep's plan: the same --set list the user would type. */
    private static Map<String, Double> alone(String lr, long seed) {
        List<String> sets = new ArrayList<>(FIXED);
        sets.addAll(List.of("lr=" + lr, "seed=" + seed, "seeds=1"));
        SimConfig cfg = ConfigLoader.load(SimConfig.class, SimConfig.PAPER, null, sets);
        return SimCell.metrics(new SimSummary(cfg, Simulation.run(cfg, 1, s -> {})));
    }

    @Test
    void everyCellEqualsItsRunAloneUnderOneAndTwoSlots() {
        assertEquals(4, one.cells().size());
        Map<String, Map<String, Double>> expected = new HashMap<>();
        for (Cell c : one.cells()) {
            String lr = c.point().get(0).substring("lr=".length());
            expected.put(c.hash(), alone(lr, c.seed()));
        }
        for (Sweep.Outcome o : List.of(one, two)) {
            assertEquals(4, o.ran());
            for (Cell c : o.cells()) {
                Map<String, Double> got = o.results().get(c.hash()).metrics();
                assertFalse(got.isEmpty());
                assertEquals(expected.get(c.hash()), got, "cell " + c.pointLabel() + " seed " + c.seed());
            }
        }
        // The two grid points differ: the test would notice cells swapped between points.
        Cell a = one.cells().get(0);
        Cell b = one.cells().get(2);
        assertEquals(a.seed(), b.seed());
        assertFalse(one.results().get(a.hash()).metrics().equals(one.results().get(b.hash()).metrics()));
    }

    @Test
    void consoleShowsProgressAndTheReportLinksEveryCell() throws Exception {
        assertTrue(console.contains("4/4 cells done, 0 running, 0 failed attempts"), console);
        assertTrue(console.contains("Spark UI: disabled"), console);
        String report = Files.readString(two.report());
        for (Cell c : two.cells()) {
            assertTrue(report.contains("(cells/" + c.hash() + "/)"), c.hash());
            assertTrue(Files.isRegularFile(tmp.resolve("two/cells/" + c.hash() + "/report.md")), "the cell's own sim report");
        }
        assertTrue(Files.isRegularFile(tmp.resolve("two/plots.png")));
        assertTrue(report.contains("| lr=0.02 | multi-seed/SDPO/continuous/reward | 2 |"), report);
    }

    @Test
    void aRestartRunsOnlyTheMissingCellAndCountsEachOnce() throws Exception {
        Path dir = tmp.resolve("restart");
        Sweep.Outcome first = Sweep.run(SWEEP, dir, "local[2]", CONF, "test", System.out);
        Cell removed = first.cells().get(1);
        Map<String, byte[]> kept = new HashMap<>();
        Map<String, Long> keptTimes = new HashMap<>();
        for (Cell c : first.cells()) {
            Path f = dir.resolve("cells/" + c.hash() + "/" + CellStore.RESULT_FILE);
            kept.put(c.hash(), Files.readAllBytes(f));
            keptTimes.put(c.hash(), Files.getLastModifiedTime(f).toMillis());
        }
        AtomicFiles.deleteTree(dir.resolve("cells/" + removed.hash()));
        // A killed attempt of an earlier run leaves its directory: it must neither count nor block.
        Files.createDirectories(dir.resolve("cells/.attempts/" + removed.hash() + "-0.0-7"));

        Sweep.Outcome again = Sweep.run(SWEEP, dir, "local[2]", CONF, "test", System.out);
        assertEquals(1, again.ran());
        for (Cell c : first.cells()) {
            Path f = dir.resolve("cells/" + c.hash() + "/" + CellStore.RESULT_FILE);
            assertEquals(first.results().get(c.hash()).metrics(), again.results().get(c.hash()).metrics());
            if (!c.hash().equals(removed.hash())) {
                assertTrue(java.util.Arrays.equals(kept.get(c.hash()), Files.readAllBytes(f)), "finished cell untouched");
                assertEquals(keptTimes.get(c.hash()), Files.getLastModifiedTime(f).toMillis());
            }
        }
        assertFalse(Files.exists(dir.resolve("cells/.attempts/" + removed.hash() + "-0.0-7")));
        try (var entries = Files.list(dir.resolve("cells"))) {
            assertEquals(4, entries.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).count());
        }

        // Nothing left to do: no Spark job at all, the same report.
        Sweep.Outcome third = Sweep.run(SWEEP, dir, "local[2]", CONF, "test", System.out);
        assertEquals(0, third.ran());
        assertEquals(new SweepReport(SWEEP, again.cells(), again.results()).rows(),
                new SweepReport(SWEEP, third.cells(), third.results()).rows());
    }

    @Test
    void aSecondAttemptAtAFinishedCellYieldsTheFirstResult() {
        Path dir = tmp.resolve("one");
        Cell c = one.cells().get(0);
        CellStore store = new CellStore(dir);
        CellResult first = store.finished(c.hash()).orElseThrow();
        // A duplicate task (a retry whose first attempt did commit): runs, then loses the commit.
        var attempt = store.attempt(c.hash(), "dup");
        CellResult late = new CellResult(c.hash(), c.pointLabel(), c.seed(), Map.of("x", 1.0), 0, 1, "dup");
        assertEquals(first, store.commit(attempt, late));
        assertFalse(Files.exists(attempt.path()), "the losing attempt is removed");
        // A task for a finished cell does not run it again.
        assertEquals(first, new RunCell(dir).call(c));
    }
}
