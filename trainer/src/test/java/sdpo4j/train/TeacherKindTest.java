package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.scoring.TeacherForcing;

/** {@code teacher-kind} (ema, live, base, trust-region) and {@code teacher-sync-steps}. */
class TeacherKindTest {
    @TempDir
    Path dir;

    private SelfDistillationStepTest fixture() {
        SelfDistillationStepTest f = new SelfDistillationStepTest();
        f.dir = dir;
        return f;
    }

    /** The student's weights after three SDPO updates under {@code sets}. */
    private float[] studentAfterThreeUpdates(String... sets) {
        try (NDManager m = NDManager.newBaseManager(); SelfDistillationStepTest.Setup s = fixture().setup(m, sets)) {
            for (int u = 0; u < 3; u++) {
                s.step().update(m, SelfDistillationStepTest.rollouts(m, s, 4, u), new SplittableRandom(u));
            }
            return s.student().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
        }
    }

    /**
     * The trust-region teacher's end points are the frozen and the live teacher: with rate 0 it
     * takes base's updates, with rate 1 live's; between, neither (the kinds are told apart).
     */
    @Test
    void trustRegionAtRateZeroIsTheBaseTeacherAndAtRateOneTheLiveOne() {
        float[] base = studentAfterThreeUpdates("teacher-kind=base");
        float[] live = studentAfterThreeUpdates("teacher-kind=live");
        float[] region0 = studentAfterThreeUpdates("teacher-kind=trust-region", "ema-rate=0");
        float[] region1 = studentAfterThreeUpdates("teacher-kind=trust-region", "ema-rate=1");
        float[] regionHalf = studentAfterThreeUpdates("teacher-kind=trust-region", "ema-rate=0.5");
        assertTrue(SelfDistillationStepTest.maxDiff(base, live) > 1e-4, "base and live teachers take different updates: " + SelfDistillationStepTest.maxDiff(base, live));
        assertArrayEquals(base, region0, 1e-6f, "trust-region, rate 0");
        assertArrayEquals(live, region1, 1e-5f, "trust-region, rate 1");
        assertTrue(SelfDistillationStepTest.maxDiff(regionHalf, base) > 1e-5 && SelfDistillationStepTest.maxDiff(regionHalf, live) > 1e-5, "rate 0.5 is neither end");
    }

    /** live is an EMA of rate 1 (whatever ema-rate says), base one of rate 0. */
    @Test
    void liveAndBaseAreTheEmaEndPoints() {
        float[] live = studentAfterThreeUpdates("teacher-kind=live", "ema-rate=0.3");
        assertArrayEquals(live, studentAfterThreeUpdates("teacher-kind=ema", "ema-rate=1"), 0f);
        float[] base = studentAfterThreeUpdates("teacher-kind=base", "ema-rate=0.3");
        assertArrayEquals(base, studentAfterThreeUpdates("teacher-kind=ema", "ema-rate=0"), 0f);
    }

    /** The trust-region teacher's logits are {@code ref + r (student - ref)}, each scored on its own; the teacher stays put. */
    @Test
    void trustRegionLogitsLerpTheFrozenTeacherAndTheCurrentStudent() {
        try (NDManager m = NDManager.newBaseManager();
                SelfDistillationStepTest.Setup s = fixture().setup(m, "teacher-kind=trust-region", "ema-rate=0.3")) {
            float[] teacherStart = s.teacher().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
            s.step().update(m, SelfDistillationStepTest.rollouts(m, s, 4, 1), new SplittableRandom(1));
            assertArrayEquals(teacherStart, s.teacher().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray(), 0f,
                    "the reference never moves");
            List<RolloutGroup> groups = SelfDistillationStepTest.rollouts(m, s, 4, 2);
            List<TrainingExample> xs = s.step().examples(groups, new SplittableRandom(2));
            assertTrue(xs.stream().allMatch(TrainingExample::hasTeacher), "wrong answers get feedback");
            try (NDManager sub = m.newSubManager()) {
                float[] got = s.step().taughtLogits(sub, xs, List.of(TrainingExample::teacherContext)).get(0).toFloatArray();
                List<long[]> contexts = new ArrayList<>();
                List<long[]> responses = new ArrayList<>();
                xs.forEach(x -> {
                    contexts.add(x.teacherContext());
                    responses.add(x.response());
                });
                float[] ref = TeacherForcing.score(s.teacher(), sub, contexts, responses, s.tokenizer().padId()).logits().toFloatArray();
                NDArray studentLogits = TeacherForcing.score(s.student(), sub, contexts, responses, s.tokenizer().padId()).logits();
                float[] live = studentLogits.toFloatArray();
                assertEquals(ref.length, got.length);
                double moved = 0;
                for (int i = 0; i < got.length; i++) {
                    assertEquals(ref[i] + 0.3 * (live[i] - ref[i]), got[i], 1e-4, "entry " + i);
                    moved = Math.max(moved, Math.abs(live[i] - ref[i]));
                }
                assertTrue(moved > 1e-3, "the student moved off the reference: " + moved);
            }
        }
    }

    /** With teacher-sync-steps 3 the teacher moves after optimizer steps 3 and 6 only, each time by one EMA step. */
    @Test
    void theTeacherSyncsEveryNthOptimizerStep() {
        try (NDManager m = NDManager.newBaseManager();
                SelfDistillationStepTest.Setup s = fixture().setup(m, "teacher-sync-steps=3", "ema-rate=0.5")) {
            float[] teacher = s.teacher().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
            List<Long> moved = new ArrayList<>();
            for (int u = 1; u <= 7; u++) {
                s.step().update(m, SelfDistillationStepTest.rollouts(m, s, 4, u), new SplittableRandom(u));
                float[] student = s.student().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
                float[] now = s.teacher().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
                if (SelfDistillationStepTest.maxDiff(now, teacher) > 0) {
                    moved.add(s.adam().steps());
                    for (int i = 0; i < now.length; i++) {
                        assertEquals(0.5 * teacher[i] + 0.5 * student[i], now[i], 1e-6, "one EMA step at step " + u);
                    }
                }
                teacher = now;
            }
            assertEquals(7, s.adam().steps());
            assertEquals(List.of(3L, 6L), moved);
        }
    }

    @Test
    void syncStepsWithTheRolloutBatchScheduleAreRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null,
                List.of("teacher-sync-steps=2", "ema-schedule=rollout-batch")));
        assertTrue(e.getMessage().contains("teacher-sync-steps"), e.getMessage());
    }
}
