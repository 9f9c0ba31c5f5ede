package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.Manifest;
import sdpo4j.run.RunDirectory;

/**
 * A damaged newest checkpoint (cut short, a byte changed, its manifest lost, its trainer state
 * unreadable) is reported in one line, set aside, and the run resumes from the older intact one
 * with exactly the metrics and weights of an uninterrupted run; with none intact, the error names
 * each and nothing is touched.
 */
class CheckpointFallbackTest {
    @TempDir
    static Path dir;
    static Path model;
    static RunDirectory straight;

    @BeforeAll
    static void uninterruptedRun() {
        model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        straight = RunDirectory.create(dir.resolve("runs"), "straight", false);
        Trainer.of(config(4), straight).progressLines(false).run();
    }

    static TrainConfig config(int steps) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of("model=" + model,
                "dataset=../datasets/arithmetic/test.jsonl", "prompts-dir=../prompts", "prompts=2", "group-size=3",
                "max-new-tokens=5", "lr=0.001", "objective.name=credit", "eval.dataset=", "checkpoint.every=1",
                "checkpoint.keep-last=2", "steps=" + steps));
    }

    /** Trains 3 of 4 steps (checkpoints 2 and 3 kept), damages checkpoint 3, resumes to step 4; returns stderr. */
    static String damageNewestThenResume(String name, Consumer<Path> damage) throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), name, false);
        Trainer.of(config(3), run).progressLines(false).run();
        assertEquals(List.of(2L, 3L), new Checkpoints(run.path()).steps());
        damage.accept(run.resolve("checkpoints/step-000003"));
        String err = stderrOf(() -> Trainer.of(config(4), run).progressLines(false).resume(true).run());
        assertEquals(TrainerTest.withoutTimes(TrainerTest.metrics(straight)), TrainerTest.withoutTimes(TrainerTest.metrics(run)), err);
        assertArrayEquals(Files.readAllBytes(straight.resolve("final/model.safetensors")),
                Files.readAllBytes(run.resolve("final/model.safetensors")));
        try (var entries = Files.list(run.resolve("checkpoints"))) {
            assertTrue(entries.anyMatch(p -> p.getFileName().toString().startsWith(".step-000003.rejected-")),
                    "the damaged checkpoint is set aside, not deleted");
        }
        assertTrue(Checkpoints.verify(run.path()).stream().allMatch(Checkpoints.Status::intact));
        return err;
    }

    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static void assertReported(String err, String problem) {
        List<String> lines = err.lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(2, lines.size(), err);
        assertTrue(lines.get(0).contains("step-000003 is damaged: ") && lines.get(0).contains(problem), lines.get(0));
        assertTrue(lines.get(1).startsWith("warning: resuming from ") && lines.get(1).endsWith("step-000002, the newest intact checkpoint"),
                lines.get(1));
    }

    @Test
    void aTruncatedWeightsFileFallsBack() throws Exception {
        String err = damageNewestThenResume("truncated", c -> {
            try (RandomAccessFile f = new RandomAccessFile(c.resolve("model/model.safetensors").toFile(), "rw")) {
                f.setLength(f.length() / 2);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertReported(err, "model/model.safetensors has ");
    }

    @Test
    void aChangedByteOfTheSameSizeFallsBack() throws Exception {
        String err = damageNewestThenResume("flipped", c -> {
            try (RandomAccessFile f = new RandomAccessFile(c.resolve("optimizer.safetensors").toFile(), "rw")) {
                f.seek(f.length() - 3);
                int b = f.read();
                f.seek(f.length() - 3);
                f.write(b ^ 0x40);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertReported(err, "optimizer.safetensors has the right size but the wrong SHA-256");
    }

    @Test
    void aMissingManifestFallsBack() throws Exception {
        String err = damageNewestThenResume("nomanifest", c -> delete(c.resolve(Manifest.FILE)));
        assertReported(err, "no manifest.json");
    }

    @Test
    void aMissingFileFallsBack() throws Exception {
        String err = damageNewestThenResume("nofile", c -> delete(c.resolve("teacher/model.safetensors")));
        assertReported(err, "teacher/model.safetensors is missing");
    }

    @Test
    void anUnreadableTrainerStateFallsBack() throws Exception {
        // The manifest rewritten over the bad state: the files match it, the state still cannot be read.
        String err = damageNewestThenResume("badstate", c -> {
            write(c.resolve("trainer-state.json"), "{\"step\": ");
            Manifest.write(c);
        });
        assertReported(err, "trainer-state.json is unreadable");
    }

    @Test
    void withNoIntactCheckpointTheErrorNamesEachAndNothingMoves() throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "none", false);
        Trainer.of(config(3), run).progressLines(false).run();
        delete(run.resolve("checkpoints/step-000003/" + Manifest.FILE));
        write(run.resolve("checkpoints/step-000002/model/config.json"), "{}");
        List<Path> before = list(run.resolve("checkpoints"));
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.of(config(4), run).resume(true).run());
        assertTrue(e.getMessage().startsWith("no intact checkpoint to resume from (nothing was changed): ")
                && e.getMessage().contains("step-000003 is damaged: no manifest.json")
                && e.getMessage().contains("step-000002 is damaged: model/config.json has 2 bytes"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(before, list(run.resolve("checkpoints")));
        List<Checkpoints.Status> status = Checkpoints.verify(run.path());
        assertEquals(2, status.size());
        assertTrue(status.stream().noneMatch(Checkpoints.Status::intact));
    }

    @Test
    void verifyPrintsALinePerCheckpointAndExitsOneWhenAnyIsDamaged() throws Exception {
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "verify", false);
        Trainer.of(config(3), run).progressLines(false).run();
        assertEquals(0, verify(run.path())[0].length());
        write(run.resolve("checkpoints/step-000003/trainer-state.json"), "{}");
        String[] r = verify(run.path());
        assertEquals("1", r[0]);
        List<String> lines = r[1].lines().toList();
        assertEquals(3, lines.size(), r[1]);
        assertTrue(lines.get(0).endsWith("step-000002: intact"), lines.get(0));
        assertTrue(lines.get(1).endsWith("step-000003: DAMAGED: trainer-state.json has 2 bytes, the manifest says "
                + lines.get(1).replaceAll(".* says ", "")), lines.get(1));
        assertEquals("2 checkpoints, 1 intact, 1 damaged; --resume takes the newest intact one", lines.get(2));
    }

    /** {exit code ("" for 0), standard output} of {@code sdpo4j verify DIR}. */
    static String[] verify(Path run) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = sdpo4j.cli.Main.execute(new String[] {"verify", run.toString()}, new java.io.PrintWriter(System.err, true),
                    new java.io.PrintWriter(System.err, true));
        } finally {
            System.setOut(old);
        }
        return new String[] {rc == 0 ? "" : Integer.toString(rc), bytes.toString(StandardCharsets.UTF_8)};
    }

    static List<Path> list(Path d) throws Exception {
        try (var s = Files.list(d)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
