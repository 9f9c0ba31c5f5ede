package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.optim.Aggregation;

/** {@code mask-truncated-completions}, and Dr. GRPO's norm-length taken from {@code max-new-tokens}. */
class MaskTruncatedTest {
    @TempDir
    Path dir;

    /** Reward 1 for a response that contains an 'A'. */
    static final class HasA implements sdpo4j.env.Environment {
        @Override
        public String name() {
            return "has-a";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public Score score(Task task, String response) {
            boolean a = response.contains("A");
            return new Score(a ? 1 : 0, a, a ? null : "Write an A.");
        }
    }

    /** One GRPO update on one group of hand-made responses: (text, finish reason) pairs; the student's weights after. */
    private float[] updateOn(String objective, boolean mask, String... textAndReason) {
        SelfDistillationStepTest f = new SelfDistillationStepTest();
        f.dir = dir;
        f.taskCount = 1;
        try (NDManager m = NDManager.newBaseManager();
                SelfDistillationStepTest.Setup s = f.setup(m, new HasA(), "objective.name=" + objective,
                        "mask-truncated-completions=" + mask, "group-size=4", "micro-batch-prompts=1")) {
            Task task = s.tasks().get(0);
            List<Generation> responses = new ArrayList<>();
            for (int i = 0; i < textAndReason.length; i += 2) {
                long[] tokens = s.tokenizer().encode(textAndReason[i]);
                responses.add(new Generation(tokens, new float[tokens.length], textAndReason[i], textAndReason[i + 1]));
            }
            RolloutGroup group = SelfDistillationStep.scored(new HasA(), task, s.step().promptIds(task.prompt()), responses);
            Map<String, Double> metrics = s.step().update(m, List.of(group), new SplittableRandom(1)).metrics();
            assertTrue(metrics.get("grad_norm") > 0, metrics.toString());
            return s.student().parameters().get(SelfDistillationStepTest.PARAM).toFloatArray();
        }
    }

    /**
     * With the mask on, what a truncated response says (and how long it is) changes nothing in the
     * update, as long as its reward is the same: its tokens reach neither the loss nor its token count,
     * while its reward still shapes the group's advantages. With the mask off it does change the update.
     */
    @Test
    void truncatedResponsesReachNoLoss() {
        for (String objective : List.of("grpo", "sdpo")) {
            String[] kept = {"A1+2", "eos", "B3", "eos"};
            // Failures, so that no kept response is shown them as its solution (a truncated success
            // still is a demonstration: the mask is about the loss, not the teacher contexts).
            String[] truncated = {"CCCCCC", "length", "BBBB", "length"};
            String[] other = {"C9", "length", "B77777x", "length"};
            float[] masked = updateOn(objective, true, concat(kept, truncated));
            float[] maskedOther = updateOn(objective, true, concat(kept, other));
            assertArrayEquals(masked, maskedOther, 1e-7f, objective + ": the truncated responses' tokens are masked out");
            float[] unmasked = updateOn(objective, false, concat(kept, truncated));
            float[] unmaskedOther = updateOn(objective, false, concat(kept, other));
            assertTrue(SelfDistillationStepTest.maxDiff(unmasked, unmaskedOther) > 1e-6, objective + ": without the mask they count");
        }
        // The advantage still reads the truncated responses' rewards: all-A truncated siblings change
        // the kept responses' advantages (and so the update) even though their tokens are masked.
        float[] base = updateOn("grpo", true, "A1+2", "eos", "B3", "eos", "AAAAAA", "length", "BBBB", "length");
        float[] allA = updateOn("grpo", true, "A1+2", "eos", "B3", "eos", "AAAAAA", "length", "AAAA", "length");
        assertTrue(SelfDistillationStepTest.maxDiff(base, allA) > 1e-6, "truncated rewards shape the advantages");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void drGrpoNormLengthDefaultsToMaxNewTokens() {
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null,
                List.of("objective.grpo.aggregation=seq-mean-token-sum-norm", "max-new-tokens=24"));
        assertEquals(Aggregation.SEQ_MEAN_TOKEN_SUM_NORM, cfg.objective().grpo().aggregation());
        assertEquals(24, cfg.objective().grpo().normLength());
        TrainConfig set = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null,
                List.of("objective.grpo.aggregation=seq-mean-token-sum-norm", "objective.grpo.norm-length=100"));
        assertEquals(100, set.objective().grpo().normLength());
        assertEquals(0, TrainConfig.DEFAULT.objective().grpo().normLength(), "other aggregations leave it alone");
    }
}
