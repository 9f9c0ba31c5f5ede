package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;

/** Each diagnostic is provoked by a run of metrics lines that shows its failure, and stays quiet on a healthy run. */
class TrainingHealthTest {

    /** A healthy SDPO run's line at step {@code s}: small noise around stable values. */
    static Map<String, Object> healthy(int s) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", s);
        line.put("entropy", 1.2 + 0.1 * Math.sin(s));
        line.put("kl", 0.05 + 0.01 * Math.cos(s));
        line.put("grad_norm", 0.3 + 0.05 * Math.sin(3 * s));
        line.put("teacher_frac", 0.6 + 0.1 * Math.sin(2 * s));
        line.put("skipped_updates", 0.0);
        line.put("demo_overlap", 0.2);
        return line;
    }

    static List<String> run(ObjectiveKind kind, int steps, IntFunction<Map<String, Object>> lines) {
        TrainingHealth health = new TrainingHealth(ObjectiveConfig.DEFAULT.withName(kind));
        List<String> out = new ArrayList<>();
        for (int s = 1; s <= steps; s++) {
            int step = s;
            health.observe(s, lines.apply(s)).forEach(w -> out.add("step " + step + ": " + w));
        }
        return out;
    }

    static IntFunction<Map<String, Object>> with(String key, IntFunction<Double> value) {
        return s -> {
            Map<String, Object> line = healthy(s);
            line.put(key, value.apply(s));
            return line;
        };
    }

    @Test
    void aHealthyRunRaisesNothing() {
        assertEquals(List.of(), run(ObjectiveKind.SDPO, 100, TrainingHealthTest::healthy));
    }

    @Test
    void entropyCollapseIsSaidOnceWhenTheWindowFallsBelowATenthOfTheStart() {
        List<String> w = run(ObjectiveKind.SDPO, 60, with("entropy", s -> s <= 20 ? 1.0 : 0.05));
        assertEquals(1, w.size(), w.toString());
        // Steps 21-25 are the first window entirely below 0.1; step 24's window still holds step 20's 1.0.
        assertTrue(w.get(0).startsWith("step 25: entropy collapse: policy entropy fell from 1.000 nats (steps 1-5) to 0.050 "
                + "(steps 21-25)"), w.get(0));
    }

    @Test
    void aTeacherThatCaughtUpIsSaidForDistillingObjectivesOnly() {
        IntFunction<Map<String, Object>> lines = with("kl", s -> s <= 10 ? 0.05 : 2e-5);
        List<String> w = run(ObjectiveKind.SDPO, 30, lines);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("step 15: teacher caught up: teacher-student KL is 2.0e-05"), w.get(0));
        assertEquals(List.of(), run(ObjectiveKind.GRPO, 30, lines));
        // Steps without a teacher context have no KL to read: a zero there is not a caught-up teacher.
        assertEquals(List.of(), run(ObjectiveKind.SDPO, 30, s -> {
            Map<String, Object> line = healthy(s);
            line.put("teacher_frac", s <= 3 ? 0.6 : 0.5);
            line.put("kl", s % 2 == 0 ? 0.05 : 0.0);
            if (s % 2 == 1) {
                line.put("teacher_frac", 0.0);
            }
            return line;
        }).stream().filter(x -> x.contains("caught up")).toList());
    }

    @Test
    void aVanishingGradientIsSaidAfterAWindowOfTinyNorms() {
        List<String> w = run(ObjectiveKind.GRPO, 40, with("grad_norm", s -> s < 12 ? 0.3 : 3e-6));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("step 16: vanishing gradient: the gradient norm stayed below 1e-05 on steps 12-16"),
                w.get(0));
        // Skipped updates (no teacher context) report a zero norm: not a vanishing gradient.
        assertEquals(List.of(), run(ObjectiveKind.SDPO, 40, s -> {
            Map<String, Object> line = healthy(s);
            if (s % 3 == 0) {
                line.put("grad_norm", 0.0);
                line.put("skipped_updates", 1.0);
            }
            return line;
        }));
    }

    @Test
    void thinningTeacherContextsAreSaid() {
        List<String> w = run(ObjectiveKind.CREDIT, 40, with("teacher_frac", s -> s <= 10 ? 0.8 : 0.2));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("step 14: teacher contexts thinning: the share of responses with a teacher context "
                + "fell from 0.80 (steps 1-5) to 0.32 (steps 10-14)"), w.get(0));
    }

    @Test
    void copyingTheDemonstrationIsSaid() {
        List<String> w = run(ObjectiveKind.SDPO, 30, with("demo_overlap", s -> s <= 8 ? 0.3 : 0.95));
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("step 12: copying the demonstration: on steps 8-12 responses repeat 82%"), w.get(0));
    }
}
