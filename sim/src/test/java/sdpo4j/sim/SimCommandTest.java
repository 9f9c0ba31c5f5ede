package sdpo4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.CliRun;

/** The launcher's command line, end to end through picocli and the ServiceLoader registration. */
class SimCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsCommandsAndDefaults() {
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("sim") && top.out().contains("sim-bench"), top.out());
        CliRun sim = CliRun.of("sim", "--help");
        assertTrue(sim.out().contains("--threads") && sim.out().contains("Default: 2"), sim.out());
        assertTrue(sim.out().contains("--runs-dir") && sim.out().contains("Default: runs"), sim.out());
    }

    @Test
    void badOverrideIsOneLineAndExitCodeTwo() {
        CliRun r = CliRun.of("sim", "--runs-dir", dir.toString(), "--set", "steps=ten");
        assertEquals(2, r.code());
        assertEquals("error: --set steps=ten: key 'steps': value 'ten' is not allowed; allowed: an integer", r.err().strip());
        CliRun unknown = CliRun.of("sim", "--runs-dir", dir.toString(), "--set", "world.vocabb=4");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("error: --set world.vocabb=4: unknown key 'world.vocabb' (did you mean 'vocab'?)"),
                unknown.err());
        assertEquals(1, unknown.err().strip().lines().count());
        CliRun option = CliRun.of("sim", "--threads", "many");
        assertEquals(2, option.code());
        assertTrue(option.err().startsWith("error: "), option.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "a rejected config leaves nothing behind");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void aSmallStudyWritesTheWholeRunDirectory() throws IOException {
        Path cfg = dir.resolve("small.yaml");
        Files.writeString(cfg, "steps: 25\nseeds: 2\nfinal-window: 5\nsets: [method-feedback, hybrid]\n");
        CliRun r = CliRun.of("sim", "--config", cfg.toString(), "--runs-dir", dir.toString(), "--name", "small");
        assertEquals(0, r.code(), r.err());
        Path run = dir.resolve("small");
        for (String f : List.of("config.yaml", "metrics.jsonl", "report.md", "results.json", "tables/table1_reward.csv",
                "fig1_reward_curves.png", "fig5_hybrid.png")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(25, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertTrue(Files.readString(run.resolve("config.yaml")).contains("steps: 25"));
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("## 1. Methods x feedback type") && report.contains("## 3. Hybrid"), report);
        try (var pngs = Files.list(run)) {
            assertEquals(4, pngs.filter(p -> p.toString().endsWith(".png")).count());
        }
        // The same name again is refused rather than mixed with the earlier run.
        CliRun again = CliRun.of("sim", "--config", cfg.toString(), "--runs-dir", dir.toString(), "--name", "small");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a run"), again.err());
    }
}
