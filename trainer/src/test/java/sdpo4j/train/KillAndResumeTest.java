package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

/**
 * The trainer as a user runs it, in a child JVM: killed with SIGKILL at random moments
 * (mid-step, mid-checkpoint), resumed until done, it must end with exactly the metrics and
 * weights of an uninterrupted run; SIGTERM must finish the step, checkpoint and exit 143.
 */
class KillAndResumeTest {
    @TempDir
    Path dir;
    Path config;

    @BeforeEach
    void setUp() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        config = dir.resolve("train.yaml");
        Files.writeString(config, String.join("\n", "model: " + model, "dataset: ../datasets/arithmetic/test.jsonl",
                "prompts-dir: ../prompts", "steps: 40", "prompts: 2", "group-size: 3", "max-new-tokens: 6", "lr: 0.001",
                "objective: {name: credit}", "eval: {dataset: ''}", "checkpoint: {every: 1, keep-last: 2}", ""));
    }

    Process start(String name, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), "sdpo4j.cli.Main", "train"));
        if (resume) {
            cmd.addAll(List.of("--resume", dir.resolve("runs").resolve(name).toString()));
        } else {
            cmd.addAll(List.of("--config", config.toString(), "--runs-dir", dir.resolve("runs").toString(), "--name", name));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    int finish(Process p) throws Exception {
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child did not finish");
        return p.exitValue();
    }

    static List<Map<?, ?>> lines(Path run) throws Exception {
        return TrainerTest.withoutTimes(TrainerTest.metrics(RunDirectory.existing(run)));
    }

    /**
     * Four SIGKILLs at random moments (mid-step or mid-checkpoint), each followed by --resume:
     * the metrics and final weights equal an uninterrupted run's bit for bit. Credit, so the
     * contrastive teacher pass is covered too. (It was kept out of the default run while a
     * garbage collection could corrupt a gradient and make the two runs differ; see
     * docs/reliability.md.)
     */
    @Test
    void sigkillAtRandomMomentsThenResumeEqualsAnUninterruptedRun() throws Exception {
        assertEquals(0, finish(start("straight", false)), () -> log("straight"));

        Random rnd = new Random(42);
        Process p = start("killed", false);
        int kills = 0;
        Path run = dir.resolve("runs/killed");
        while (true) {
            // Wait until the run has made progress since the last kill, then kill it at a random moment.
            int before = new Checkpoints(run).latest().map(Long::intValue).orElse(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && new Checkpoints(run).latest().map(Long::intValue).orElse(0) == before
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(rnd.nextInt(400));
            if (!p.isAlive() || kills == 4) {
                break;
            }
            p.destroyForcibly(); // SIGKILL
            p.waitFor();
            kills++;
            // Whatever the kill left, only complete checkpoints are ever visible.
            for (long s : new Checkpoints(run).steps()) {
                assertTrue(Files.isRegularFile(run.resolve(String.format("checkpoints/step-%06d/model/model.safetensors", s))));
                assertTrue(Files.isRegularFile(run.resolve(String.format("checkpoints/step-%06d/optimizer.safetensors", s))));
            }
            p = start("killed", true);
        }
        assertEquals(0, finish(p), () -> log("killed"));
        assertTrue(kills >= 2, "killed " + kills + " times");
        assertEquals(lines(dir.resolve("runs/straight")), lines(run));
        assertEquals(-1, Files.mismatch(dir.resolve("runs/straight/final/model.safetensors"), run.resolve("final/model.safetensors")));
    }

    @Test
    void sigtermFinishesTheStepWritesACheckpointAndExits143() throws Exception {
        Process p = start("term", false);
        Path metrics = dir.resolve("runs/term/metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(metrics) && Files.size(metrics) > 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        p.destroy(); // SIGTERM
        assertEquals(143, finish(p), () -> log("term"));
        String out = log("term");
        assertTrue(out.contains("SIGTERM received: finishing the current step") && out.contains("continue with: bin/sdpo4j train --resume"), out);
        long steps = Files.readAllLines(metrics).size();
        assertEquals(List.of(steps), new Checkpoints(dir.resolve("runs/term")).steps().subList(
                new Checkpoints(dir.resolve("runs/term")).steps().size() - 1, new Checkpoints(dir.resolve("runs/term")).steps().size()));
        assertTrue(steps < 10, "stopped early, after " + steps + " steps");
    }

    /**
     * Disk full: the run directory is a 700 kB tmpfs in a private mount namespace, so a
     * checkpoint write fails part-way. The run must stop with one clear line, remove the partial
     * checkpoint and leave the earlier ones complete and loadable.
     */
    @Test
    void aFullDiskFailsTheCheckpointAndKeepsTheEarlierOnes() throws Exception {
        Path runs = dir.resolve("runs");
        Path copy = dir.resolve("copy");
        Files.createDirectories(runs);
        Files.createDirectories(copy);
        String java = String.join(" ", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", "'" + System.getProperty("java.class.path") + "'",
                "sdpo4j.cli.Main", "train", "--config", config.toString(), "--runs-dir", runs.toString(), "--name", "full"));
        Process p = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=700k tmpfs " + runs + " && "
                + java + "; rc=$?; cp -a " + runs + "/. " + copy + "/; exit $rc")
                .redirectErrorStream(true).redirectOutput(dir.resolve("full.log").toFile()).start();
        int rc = finish(p);
        String out = log("full");
        assertEquals(2, rc, out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("error: cannot write checkpoint ")
                && l.contains("(earlier checkpoints are intact): ") && l.contains("No space left on device")), out);
        Path run = copy.resolve("full");
        List<Long> kept = new Checkpoints(run).steps();
        assertTrue(!kept.isEmpty(), out);
        try (var entries = Files.list(run.resolve("checkpoints"))) {
            assertTrue(entries.noneMatch(e -> e.getFileName().toString().endsWith(".partial")), "partial checkpoint left behind");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            for (long s : kept) {
                sdpo4j.lm.weights.HfCheckpoint.load(new Checkpoints(run).dirOf(s).resolve("model"), m);
                sdpo4j.lm.weights.HfCheckpoint.load(new Checkpoints(run).dirOf(s).resolve("teacher"), m);
            }
        }
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
