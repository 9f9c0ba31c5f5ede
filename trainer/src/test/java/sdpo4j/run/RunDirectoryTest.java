package sdpo4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void anUnusableRunsDirectoryIsRefusedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(dir.resolve("runs"), "not a directory");
        RunException e = assertThrows(RunException.class, () -> RunDirectory.create(file, "x", false));
        assertEquals("cannot use run directory " + file.resolve("x") + ": Not a directory", e.getMessage());
    }

    @Test
    void aRunThatDidNothingLeavesNoDirectory() throws Exception {
        RunDirectory run = RunDirectory.create(dir, "r", false);
        run.writeConfig(java.util.Map.of("a", 1));
        RunDirectory.removeIfNothingDone(run, "checkpoints");
        assertEquals(false, Files.exists(dir.resolve("r")));
        RunDirectory kept = RunDirectory.create(dir, "k", false);
        Files.writeString(kept.resolve(RunDirectory.METRICS_FILE), "{\"step\":1}\n");
        RunDirectory.removeIfNothingDone(kept, "checkpoints");
        assertEquals(true, Files.exists(dir.resolve("k/metrics.jsonl")));
    }
}
