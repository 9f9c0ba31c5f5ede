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
        Files.createDirectories(run.resolve("grpo-seed0"));
        Files.writeString(run.resolve("grpo-seed0/" + RunDirectory.CONFIG_FILE), "a: 1\n");
        Files.writeString(run.resolve("grpo-seed0/" + RunDirectory.METRICS_FILE), "");
        RunDirectory.removeIfNothingDone(run);
        assertEquals(false, Files.exists(dir.resolve("r")), "only configs and empty files: removed");
        assertEquals(java.util.List.of(), java.util.List.of(dir.toFile().list()));
        // the same name is free again without --overwrite
        RunDirectory.create(dir, "r", false);

        RunDirectory kept = RunDirectory.create(dir, "k", false);
        Files.writeString(kept.resolve(RunDirectory.METRICS_FILE), "{\"step\":1}\n");
        RunDirectory.removeIfNothingDone(kept);
        assertEquals(true, Files.exists(dir.resolve("k/metrics.jsonl")));
        RunDirectory sub = RunDirectory.create(dir, "s", false);
        Files.createDirectories(sub.resolve("sdpo-seed1/checkpoints/step-000001"));
        Files.writeString(sub.resolve("sdpo-seed1/checkpoints/step-000001/model.safetensors"), "x");
        RunDirectory.removeIfNothingDone(sub);
        assertEquals(true, Files.exists(sub.resolve("sdpo-seed1/checkpoints/step-000001/model.safetensors")),
                "a sub-run's checkpoint is work done: kept");
    }
}
