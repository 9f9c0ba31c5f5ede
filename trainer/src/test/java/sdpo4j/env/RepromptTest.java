package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each reprompting option of {@link RepromptConfig} changes the teacher contexts it says it does. */
class RepromptTest {
    static final TeacherContexts.Templates TEMPLATES = TeacherContexts.Templates.load(Path.of("../prompts"), "default");

    static TeacherContexts contexts(RepromptConfig.Builder b) {
        return new TeacherContexts(TEMPLATES, b.build());
    }

    static TeacherContexts.Rollout scored(String response, double reward, boolean success, String feedback) {
        return new TeacherContexts.Rollout(response, new Score(reward, success, feedback));
    }

    @Test
    void aLoneSuccessGetsNoTeacherUnlessItMayBeShownItself() {
        List<TeacherContexts.Rollout> group = List.of(scored("7", 1, true, ""), scored("5", 0, false, ""));
        var on = contexts(RepromptConfig.builder()).build(group, new SplittableRandom(0));
        assertEquals(Optional.empty(), on.get(0), "dont-reprompt-on-self-success: the group's only success has no teacher");
        assertEquals(Optional.of(new TeacherContexts.Context("7", null)), on.get(1));
        var off = contexts(RepromptConfig.builder().dontRepromptOnSelfSuccess(false)).build(group, new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context("7", null)), off.get(0), "off: shown its own solution");
    }

    @Test
    void aRewardThresholdDecidesWhichSiblingsAreDemonstrations() {
        // Continuous rewards: the environment calls none a success, the threshold calls 0.8 one.
        List<TeacherContexts.Rollout> group = List.of(scored("good", 0.8, false, ""), scored("poor", 0.3, false, "low"));
        var own = contexts(RepromptConfig.builder()).build(group, new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context(null, "low")), own.get(1));
        var thresholded = contexts(RepromptConfig.builder().successRewardThreshold(0.75)).build(group, new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context("good", null)), thresholded.get(1));
        assertEquals(Optional.empty(), thresholded.get(0), "0.8 is the only success: never shown to itself");
        var strict = contexts(RepromptConfig.builder().successRewardThreshold(0.9)).build(group, new SplittableRandom(0));
        assertEquals(Optional.of(new TeacherContexts.Context(null, "low")), strict.get(1));
    }

    @Test
    void removeThinkingLeavesNoThinkSpanInAnyTeacherContext() {
        List<TeacherContexts.Rollout> group = List.of(
                scored("<think>2+2 is 4, so\nthe answer</think>\n4", 1, true, ""),
                scored("<think>a</think> 4 <think>check</think>done", 1, true, ""),
                scored("<think>cut off mid-thought", 1, true, ""),
                scored("5", 0, false, "too large"));
        TeacherContexts strip = contexts(RepromptConfig.builder().removeThinking(true));
        for (int seed = 0; seed < 20; seed++) {
            for (Optional<TeacherContexts.Context> c : strip.build(group, new SplittableRandom(seed))) {
                String text = strip.render("2+2=", c.orElseThrow());
                assertFalse(text.contains("<think>") || text.contains("</think>"), text);
            }
        }
        assertEquals("4", TeacherContexts.withoutThinking("<think>2+2 is 4, so\nthe answer</think>\n4"));
        assertEquals("4 done", TeacherContexts.withoutThinking("<think>a</think> 4 <think>check</think>done"));
        assertEquals("", TeacherContexts.withoutThinking("<think>cut off mid-thought"));
        // Off (the default), the solution is shown as it was sampled.
        TeacherContexts keep = contexts(RepromptConfig.builder());
        assertTrue(keep.build(group.subList(0, 2), new SplittableRandom(0)).get(1).orElseThrow().solution().contains("<think>"));
    }

    @Test
    void feedbackIsShownAsConfigured() {
        List<TeacherContexts.Rollout> group = List.of(scored("5", 0, false, "too large"), scored("4", 1, true, ""));
        TeacherContexts.Rollout alone = scored("5", 0, false, "too large");
        // Default: feedback only where there is no solution.
        assertEquals(Optional.of(new TeacherContexts.Context("4", null)),
                contexts(RepromptConfig.builder()).build(group, new SplittableRandom(0)).get(0));
        assertEquals(Optional.of(new TeacherContexts.Context(null, "too large")),
                contexts(RepromptConfig.builder()).build(List.of(alone, alone), new SplittableRandom(0)).get(0));
        // Beside the solution too.
        assertEquals(Optional.of(new TeacherContexts.Context("4", "too large")),
                contexts(RepromptConfig.builder().feedbackOnlyWithoutSolution(false)).build(group, new SplittableRandom(0)).get(0));
        // Never: a failure without a successful sibling then has no teacher.
        TeacherContexts none = contexts(RepromptConfig.builder().includeFeedback(false).feedbackOnlyWithoutSolution(false));
        assertEquals(Optional.of(new TeacherContexts.Context("4", null)), none.build(group, new SplittableRandom(0)).get(0));
        assertEquals(Optional.empty(), none.build(List.of(alone, alone), new SplittableRandom(0)).get(0));
    }

    @Test
    void truncationKeepsTheChosenSideOrNamesTheLengthAndTheLimit() {
        long[] ids = {1, 2, 3, 4, 5, 6};
        // right: the first tokens, and the last `tail` ones (the template's generation prompt).
        assertArrayEquals(new long[] {1, 2, 3, 4}, contexts(RepromptConfig.builder().maxRepromptLen(4)).fit(ids, () -> 0));
        assertArrayEquals(new long[] {1, 2, 5, 6}, contexts(RepromptConfig.builder().maxRepromptLen(4)).fit(ids, () -> 2));
        DatasetException noRoom = assertThrows(DatasetException.class,
                () -> contexts(RepromptConfig.builder().maxRepromptLen(4)).fit(ids, () -> 4));
        assertTrue(noRoom.getMessage().contains("max-reprompt-len 4") && noRoom.getMessage().contains("4 closing tokens"),
                noRoom.getMessage());
        assertArrayEquals(new long[] {3, 4, 5, 6},
                contexts(RepromptConfig.builder().maxRepromptLen(4).truncation(Truncation.LEFT)).fit(ids, () -> 2));
        TeacherContexts error = contexts(RepromptConfig.builder().maxRepromptLen(4).truncation(Truncation.ERROR));
        DatasetException e = assertThrows(DatasetException.class, () -> error.fit(ids, () -> 2));
        assertTrue(e.getMessage().contains("6 tokens") && e.getMessage().contains("max-reprompt-len 4"), e.getMessage());
        long[] fits = {1, 2, 3, 4};
        assertSame(fits, error.fit(fits, () -> 2), "a context within the limit is untouched");
    }
}
