package sdpo4j.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.Main;
import sdpo4j.lm.weights.TinyModels;

/**
 * {@code sdpo4j ablate --quick} end to end on a tiny random model: over three files of the
 * shipped set in the default suite (seconds), over the whole set with {@code -Plarge} (18 runs).
 */
class AblateCommandTest {
    @TempDir
    Path dir;

    /** Runs {@code ablate --quick} over {@code set}; returns the run directory. */
    private Path ablate(Path set, String... sets) throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        List<String> args = new java.util.ArrayList<>(List.of("ablate", "--quick", "--dir", set.toString(),
                "--runs-dir", dir.resolve("runs").toString(), "--name", "abl",
                "--set", "train.model=" + model, "--set", "train.prompts-dir=../prompts",
                "--set", "train.dataset=../datasets/arithmetic-1digit/train.jsonl",
                "--set", "train.eval.dataset=../datasets/arithmetic-1digit/test.jsonl",
                // prompts 5: Credit's C = 4 needs four other prompts in the batch
                "--set", "train.prompts=5", "--set", "train.micro-batch-prompts=5", "--set", "train.group-size=2",
                "--set", "train.max-new-tokens=3", "--set", "train.eval.max-tasks=4"));
        for (String s : sets) {
            args.addAll(List.of("--set", s));
        }
        StringWriter err = new StringWriter();
        int rc = Main.execute(args.toArray(String[]::new), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(0, rc, err.toString());
        return dir.resolve("runs/abl");
    }

    @Test
    void aQuickRunOfPartOfTheSetTrainsEveryArmIntoOneReport() throws Exception {
        Path set = dir.resolve("set");
        Files.createDirectories(set);
        for (String f : List.of("base.yaml", "context-feedback.yaml", "context-solution.yaml", "rft.yaml")) {
            Files.copy(AblationSetTest.SET.resolve(f), set.resolve(f));
        }
        Path run = ablate(set, "methods=[grpo, sdpo]");
        checkReport(run, AblationSet.load(set, List.of("methods=[grpo, sdpo]")));
        assertTrue(Files.readString(run.resolve("report.md")).contains("| rft | grpo | "));
    }

    @Test
    void aRunThatFailsBeforeTrainingLeavesNoDirectoryBehind() throws Exception {
        Path set = dir.resolve("set");
        Files.createDirectories(set);
        Files.copy(AblationSetTest.SET.resolve("base.yaml"), set.resolve("base.yaml"));
        Files.copy(AblationSetTest.SET.resolve("ema-0.yaml"), set.resolve("ema-0.yaml"));
        // a model directory that passes the config checks and fails when the first run loads it
        Path broken = Files.createDirectories(dir.resolve("broken-model"));
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"no-such-family\"}");
        String[] args = {"ablate", "--quick", "--dir", set.toString(), "--runs-dir", dir.resolve("runs").toString(),
                "--name", "abl", "--set", "train.model=" + broken, "--set", "methods=[grpo, sdpo]",
                "--set", "train.prompts-dir=../prompts", "--set", "train.dataset=../datasets/arithmetic-1digit/train.jsonl",
                "--set", "train.eval.dataset=../datasets/arithmetic-1digit/test.jsonl"};
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)), err.toString());
        assertTrue(err.toString().contains("no-such-family"), err.toString());
        assertTrue(!Files.exists(dir.resolve("runs/abl")), "nothing was trained: the name is free for the corrected command");
    }

    @Test
    @Tag("large")
    void theQuickRunTrainsEveryArmOfTheShippedSet() throws Exception {
        Path run = ablate(AblationSetTest.SET);
        checkReport(run, AblationSet.load(AblationSetTest.SET, List.of()));
        assertTrue(Files.readString(run.resolve("ema-0-seed0/config.yaml")).contains("ema-rate: 0.0"));
    }

    private static void checkReport(Path run, AblationSet set) throws Exception {
        String md = Files.readString(run.resolve("report.md"));
        assertTrue(md.startsWith("# Ablations\n"), md);
        for (Arm a : set.arms()) {
            assertTrue(Files.isRegularFile(run.resolve(a.label() + "-seed0/metrics.jsonl")), a.label());
            if (a.ablation() != null) {
                assertTrue(md.contains("| " + a.ablation() + " | " + a.setting() + " | " + a.label() + " | `" + a.changes() + "` | "),
                        a.label() + "\n" + md);
                assertTrue(md.contains("**" + a.label() + " vs " + a.reference() + ": not ranked: one seed"), a.label());
            }
        }
        assertTrue(md.contains("## Against each arm's reference (paired by seed and held-out task)"), md);
        assertTrue(md.contains("2 steps x 5 prompts x 2 responses, seeds [0]"), md);
        // the context ablations reach the trainer: the random model never succeeds, so a sibling-only
        // teacher has nobody to show while the feedback-only one sees every wrong answer's feedback
        assertTrue(teacherFrac(run, "context-feedback") > 0.5, "feedback only");
        assertEquals(0.0, teacherFrac(run, "context-solution"), "sibling only, no successes");
    }

    private static double teacherFrac(Path run, String arm) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve(arm + "-seed0/metrics.jsonl"));
        Map<?, ?> first = new ObjectMapper().readValue(lines.get(0), Map.class);
        return ((Number) first.get("teacher_frac")).doubleValue();
    }
}
