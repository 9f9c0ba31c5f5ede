package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.RunDirectory;

/** Each degenerate setting of docs/reliability.md gets its one-line message, before any work. */
class DegenerateSettingsTest {
    @TempDir
    Path dir;

    static String refused(String... sets) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of(sets)));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    static TrainConfig accepted(String... sets) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of(sets));
    }

    @Test
    void groupSizeOneIsRefusedForGroupRelativeMethodsOnly() {
        assertEquals("--set group-size=1: key 'group-size': value 1 is not allowed; allowed: an integer >= 2 for grpo: "
                + "group-relative advantages are all zero with one response per prompt, so every loss would be 0",
                refused("objective.name=grpo", "group-size=1"));
        assertTrue(refused("objective.name=hybrid", "objective.hybrid.fallback=grpo", "group-size=1")
                .contains("allowed: an integer >= 2 for hybrid with the grpo fallback"));
        // sdpo with a distillation weight below 1 mixes grpo in: the same refusal.
        assertTrue(refused("objective.distillation-weight=0.5", "group-size=1").contains("distillation-weight < 1"));
        accepted("objective.distillation-weight=1.0", "group-size=1");
        // SDPO's feedback path and reinforce need no siblings.
        assertEquals(1, accepted("objective.name=sdpo", "group-size=1").groupSize());
        assertEquals(1, accepted("objective.name=hybrid", "group-size=1").groupSize());
    }

    @Test
    void temperatureZeroIsRefused() {
        assertTrue(refused("temperature=0").startsWith("--set temperature=0: key 'temperature': value 0.0 is not allowed; "
                + "allowed: a number > 0: greedy rollouts make every response of a group identical"), refused("temperature=0"));
    }

    @Test
    void creditNeedsCOtherPrompts() {
        assertEquals("--set objective.contrast-prompts=3: key 'objective.contrast-prompts': value 3 is not allowed; allowed: at "
                + "most prompts - 1 (2) for credit: each response contrasts with distinct other prompts of its batch",
                refused("objective.name=credit", "prompts=3", "objective.contrast-prompts=3"));
        assertEquals(2, accepted("objective.name=credit", "prompts=3", "objective.contrast-prompts=2").objective().contrastPrompts());
        assertTrue(refused("objective.contrast-prompts=0").contains("key 'objective.contrast-prompts': value 0 is not allowed"),
                refused("objective.contrast-prompts=0"));
    }

    @Test
    void hybridsKlRuleNeedsTheWholeStepInOneMicroBatch() {
        assertTrue(refused("objective.name=hybrid", "prompts=4", "micro-batch-prompts=2").contains("key 'micro-batch-prompts': "
                + "value 2 is not allowed; allowed: at least the prompts of one optimizer step (4) for hybrid's KL rule"));
        assertEquals(2, accepted("objective.name=hybrid", "prompts=4", "micro-batch-prompts=2",
                "objective.hybrid.force-alpha=0.5").microBatchPrompts());
        assertEquals(2, accepted("objective.name=hybrid", "prompts=4", "micro-batch-prompts=2",
                "optimizer-steps-per-rollout=2").microBatchPrompts());
    }

    @Test
    void hybridsKlRuleNeedsTheWholeStepInOnePass() {
        assertTrue(refused("objective.name=hybrid", "prompts=4", "group-size=8", "memory.response-chunk=16").contains(
                "key 'memory.response-chunk': value 16 is not allowed; allowed: 0 or at least the responses of one optimizer "
                + "step (32) for hybrid's KL rule"), refused("objective.name=hybrid", "prompts=4", "group-size=8",
                "memory.response-chunk=16"));
        assertEquals(16, accepted("objective.name=hybrid", "prompts=4", "group-size=8", "memory.response-chunk=16",
                "objective.hybrid.force-alpha=0.5").memory().responseChunk());
        assertEquals(2, accepted("objective.name=sdpo", "memory.response-chunk=2").memory().responseChunk());
        assertTrue(refused("memory.response-chunk=-1").contains("key 'memory.response-chunk': value -1 is not allowed"),
                refused("memory.response-chunk=-1"));
    }

    /** GRPO's KL reference is the teacher, frozen: only with ema-rate 0. */
    @Test
    void grpoKlToTheReferenceNeedsAFrozenTeacher() {
        assertTrue(refused("objective.name=grpo", "objective.grpo.kl-beta=0.1", "ema-rate=0.05").contains(
                "key 'objective.grpo.kl-beta': value 0.1 is not allowed; allowed: 0 unless ema-rate is 0"),
                refused("objective.name=grpo", "objective.grpo.kl-beta=0.1", "ema-rate=0.05"));
        assertEquals(0.1, accepted("objective.name=grpo", "objective.grpo.kl-beta=0.1", "ema-rate=0").objective().grpo().klBeta());
        assertEquals(0.05, accepted("objective.name=sdpo", "objective.grpo.kl-beta=0.1", "ema-rate=0.05").emaRate());
        // a live teacher copies the student whatever the ema-rate: it is no frozen reference
        assertTrue(refused("objective.name=grpo", "objective.grpo.kl-beta=0.1", "ema-rate=0", "teacher-kind=live").contains(
                "teacher-kind live, ema-rate 0.0: they move at rate 1.0"),
                refused("objective.name=grpo", "objective.grpo.kl-beta=0.1", "ema-rate=0", "teacher-kind=live"));
    }

    @Test
    void creditNeedsAnotherPromptToContrastWith() {
        assertTrue(refused("objective.name=credit", "prompts=1", "micro-batch-prompts=1").contains(
                "key 'prompts': value 1 is not allowed; allowed: an integer >= 2 for credit: the contrastive baseline is the "
                + "teacher on another prompt of the batch, and one prompt has none"));
        assertEquals(1, accepted("objective.name=sdpo", "prompts=1").prompts());
    }

    @Test
    void anEmaRateOutsideTheUnitIntervalIsRefused() {
        assertEquals("--set ema-rate=1.5: key 'ema-rate': value 1.5 is not allowed; allowed: a number in [0, 1]",
                refused("ema-rate=1.5"));
        assertTrue(refused("ema-rate=-0.1").contains("allowed: a number in [0, 1]"));
    }

    @Test
    void aSplitSmallerThanTheBatchIsRefusedBeforeAnyWork() throws Exception {
        Path data = dir.resolve("three.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("../datasets/arithmetic/test.jsonl")).subList(0, 3));
        Files.write(data, lines);
        TrainConfig cfg = accepted("dataset=" + data, "prompts=4", "prompts-dir=../prompts", "eval.dataset=");
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "small", false);
        ConfigException e = assertThrows(ConfigException.class, () -> Trainer.of(cfg, run).run());
        assertEquals("key 'prompts': value 4 is not allowed; allowed: at most the 3 tasks of " + data
                + ": a batch would hold the same task twice", e.getMessage());
        assertTrue(!Files.exists(run.resolve("checkpoints")));
    }

    @Test
    void aTopKAtOrAboveTheVocabularyIsAWarningForDistillingMethods() {
        TrainConfig cfg = accepted("objective.divergence.top-k=300");
        assertEquals(Optional.of("objective.divergence.top-k 300 is not below the model's vocabulary (256): the divergence "
                + "is computed over the full vocabulary"), DegenerateSettings.topKWarning(cfg.objective(), 256));
        assertEquals(Optional.empty(), DegenerateSettings.topKWarning(cfg.objective(), 301));
        assertEquals(Optional.empty(), DegenerateSettings.topKWarning(accepted("objective.name=grpo",
                "objective.divergence.top-k=300").objective(), 256));
    }

    @Test
    void stepsWithoutAnyTeacherAreWarnedOncePerStretchWithTheFraction() {
        DegenerateSettings.TeacherWatch watch = new DegenerateSettings.TeacherWatch(accepted("objective.name=credit").objective());
        List<String> warnings = new ArrayList<>();
        double[] fracs = {0.5, 0, 0, 0, 0, 0, 0, 0, 0.25, 0, 0, 0, 0, 0};
        for (int i = 0; i < fracs.length; i++) {
            watch.observe(i + 1, fracs[i]).ifPresent(warnings::add);
        }
        assertEquals(List.of(
                "steps 2-6: no response had a teacher context (no feedback and no successful sibling), so the distillation "
                        + "signal was empty; 5 of 6 steps so far (83%)",
                "steps 10-14: no response had a teacher context (no feedback and no successful sibling), so the distillation "
                        + "signal was empty; 12 of 14 steps so far (86%)"), warnings);
        DegenerateSettings.TeacherWatch grpo = new DegenerateSettings.TeacherWatch(accepted("objective.name=grpo").objective());
        for (int i = 0; i < 10; i++) {
            assertEquals(Optional.empty(), grpo.observe(i + 1, 0));
        }
    }
}
