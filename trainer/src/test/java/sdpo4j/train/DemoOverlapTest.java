package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.optim.ObjectiveConfig;

/** The {@code demo_overlap} metric: its n-gram share, and the step that logs it for the health watch. */
class DemoOverlapTest {
    @TempDir
    Path dir;

    static long[] ids(long... xs) {
        return xs;
    }

    @Test
    void aCopyIsOneAndNoSharedNgramIsZero() {
        long[] solution = ids(5, 6, 7, 8, 9, 10);
        assertEquals(1.0, DemoOverlap.of(solution, solution));
        assertEquals(1.0, DemoOverlap.of(ids(6, 7, 8, 9), solution), "a piece of the solution");
        assertEquals(0.0, DemoOverlap.of(ids(11, 12, 13, 14, 15), solution));
        // The same tokens in another order share no 4-gram.
        assertEquals(0.0, DemoOverlap.of(ids(10, 9, 8, 7, 6, 5), solution));
        // Four 4-grams, the first two from the solution.
        assertEquals(0.5, DemoOverlap.of(ids(5, 6, 7, 8, 9, 1, 2), solution), 1e-12);
    }

    @Test
    void responsesShorterThanAnNgramAreNotCounted() {
        assertTrue(Double.isNaN(DemoOverlap.of(ids(7, 8, 9), ids(7, 8, 9))), "a short answer equal to its sibling's");
        assertTrue(Double.isNaN(DemoOverlap.of(ids(), ids(5, 6))));
        assertEquals(0.0, DemoOverlap.of(ids(5, 6, 7, 8), ids(5, 6, 7)), "the solution is shorter than an n-gram");
    }

    /** Every response is a success; each is shown a sibling (or, with self-success allowed and G = 1, itself). */
    static final class AllSucceed implements sdpo4j.env.Environment {
        @Override
        public String name() {
            return "all-succeed";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public Score score(Task task, String response) {
            return new Score(1, true, null);
        }
    }

    /** The health watch's warnings over a window of steps whose groups hold {@code texts}, and the last demo_overlap. */
    private record Watched(List<String> warnings, double overlap) {}

    private Watched watch(List<String> texts) {
        SelfDistillationStepTest f = new SelfDistillationStepTest();
        f.dir = dir;
        f.taskCount = 1;
        List<String> warnings = new ArrayList<>();
        double overlap = Double.NaN;
        try (NDManager m = NDManager.newBaseManager(); SelfDistillationStepTest.Setup s = f.setup(m, new AllSucceed())) {
            TrainingHealth health = new TrainingHealth(ObjectiveConfig.DEFAULT);
            Task task = s.tasks().get(0);
            List<Generation> responses = new ArrayList<>();
            for (String text : texts) {
                long[] tokens = s.tokenizer().encode(text);
                responses.add(new Generation(tokens, new float[tokens.length], text, "eos"));
            }
            for (int step = 1; step <= TrainingHealth.WINDOW; step++) {
                RolloutGroup group = SelfDistillationStep.scored(new AllSucceed(), task, s.step().promptIds(task.prompt()), responses);
                Map<String, Double> metrics = s.step().update(m, List.of(group), new SplittableRandom(step)).metrics();
                overlap = metrics.getOrDefault("demo_overlap", Double.NaN);
                warnings.addAll(health.observe(step, metrics));
            }
        }
        return new Watched(warnings, overlap);
    }

    @Test
    void responsesThatRepeatTheirSiblingCopyAndTheWatchSaysSo() {
        String copy = "12 plus 30: add the tens, then the ones, so the answer is 42";
        Watched w = watch(List.of(copy, copy, copy));
        assertEquals(1.0, w.overlap(), 1e-12);
        assertTrue(w.warnings().stream().anyMatch(x -> x.startsWith("copying the demonstration")), w.warnings().toString());
    }

    @Test
    void shortAnswersLeaveTheMetricOut() {
        assertTrue(Double.isNaN(watch(List.of("42", "42", "41")).overlap()));
    }

    @Test
    void responsesUnrelatedToTheirSiblingsShareNothing() {
        Watched w = watch(List.of("12 plus 30: add the tens, then the ones, so the answer is 42",
                "Forty-two (XLII) = XXX + XII", "sum=42"));
        assertEquals(0.0, w.overlap(), 1e-12);
        assertFalse(w.warnings().stream().anyMatch(x -> x.startsWith("copying")), w.warnings().toString());
    }
}
