package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.Datasets;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.Task;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.lm.DecoderLM;
import sdpo4j.lm.HfCheckpoint;
import sdpo4j.lm.SamplingConfig;
import sdpo4j.lm.Tokenizer;
import sdpo4j.lm.TinyModels;
import sdpo4j.optim.DivergenceConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;

class SelfDistillationStepTest {
    @TempDir
    Path dir;

    record Setup(DecoderLM student, DecoderLM teacher, Tokenizer tokenizer, List<Task> tasks) {}

    Setup setup(NDManager m) {
        Path model = dir.resolve("m");
        TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 256), 3, m);
        Arithmetic env = new Arithmetic(ArithmeticConfig.DEFAULT);
        Path data = dir.resolve("d.jsonl");
        Datasets.write(data, Arithmetic.generate(ArithmeticConfig.DEFAULT, 3, 1, "t"));
        return new Setup(HfCheckpoint.load(model, m), HfCheckpoint.load(model, m), Tokenizer.load(model,
                HfCheckpoint.load(model, m).config()), Datasets.read(data, env));
    }

    SelfDistillationStep step(Setup s, ObjectiveKind kind, double lambda) {
        Optimizer adam = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(kind).withCreditLambda(lambda)
                .withDivergence(DivergenceConfig.DEFAULT.withTopK(20));
        return new SelfDistillationStep(s.student(), s.teacher(), s.tokenizer(), new Arithmetic(new ArithmeticConfig(2, List.of("+"), 2, true)),
                new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic"), false), cfg, adam, 0.5, 1.0);
    }

    @Test
    void anSdpoStepUpdatesTheStudentAndMovesTheTeacher() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m);
            SelfDistillationStep step = step(s, ObjectiveKind.SDPO, 0);
            String name = "model.layers.0.mlp.up_proj.weight";
            float[] before = s.student().parameters().get(name).toFloatArray();
            List<RolloutGroup> groups = step.rollouts(m, s.tasks(), 4, new SamplingConfig(1.0, 0, 1, 6, List.of(), 1));
            assertEquals(3, groups.size());
            assertEquals(4, groups.get(0).responses().size());
            Map<String, Double> metrics = step.update(m, groups, new SplittableRandom(0));
            for (String k : List.of("loss", "kl", "entropy", "teacher_frac", "reward_mean", "grad_norm")) {
                assertTrue(metrics.containsKey(k) && Double.isFinite(metrics.get(k)), k + " in " + metrics);
            }
            // Wrong answers get feedback, so every response has a teacher here.
            assertEquals(1.0, metrics.get("teacher_frac"), 1e-9);
            float[] after = s.student().parameters().get(name).toFloatArray();
            float[] teacher = s.teacher().parameters().get(name).toFloatArray();
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved += Math.abs(after[i] - before[i]);
                // EMA with rate 0.5 from the same start: the teacher sits halfway.
                assertEquals((before[i] + after[i]) / 2, teacher[i], 1e-6);
            }
            assertTrue(moved > 0, "the student moved");
            for (NDArray p : s.student().parameterList()) {
                assertEquals(0f, p.getGradient().abs().sum().getFloat(), "gradients are zeroed after the update");
            }
            s.tokenizer().close();
        }
    }

    @Test
    void creditWithLambdaZeroTakesTheSdpoStep() {
        Map<String, Double> sdpo;
        Map<String, Double> credit;
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m);
            SelfDistillationStep step = step(s, ObjectiveKind.SDPO, 0);
            sdpo = step.update(m, step.rollouts(m, s.tasks(), 3, new SamplingConfig(1.0, 0, 1, 5, List.of(), 7)), new SplittableRandom(1));
            s.tokenizer().close();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m);
            SelfDistillationStep step = step(s, ObjectiveKind.CREDIT, 0);
            credit = step.update(m, step.rollouts(m, s.tasks(), 3, new SamplingConfig(1.0, 0, 1, 5, List.of(), 7)), new SplittableRandom(1));
            s.tokenizer().close();
        }
        assertEquals(sdpo.get("loss"), credit.get("loss"), 1e-6);
        assertEquals(sdpo.get("grad_norm"), credit.get("grad_norm"), 1e-5);
        assertTrue(credit.containsKey("credit_signal"));
    }

    @Test
    void aGrpoStepNeedsNoTeacher() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m);
            SelfDistillationStep step = step(s, ObjectiveKind.GRPO, 0);
            Map<String, Double> metrics = step.update(m, step.rollouts(m, s.tasks(), 4, new SamplingConfig(1.0, 0, 1, 4, List.of(), 2)),
                    new SplittableRandom(0));
            assertTrue(metrics.containsKey("clip_frac") && Double.isFinite(metrics.get("loss")), metrics.toString());
            s.tokenizer().close();
        }
    }
}
