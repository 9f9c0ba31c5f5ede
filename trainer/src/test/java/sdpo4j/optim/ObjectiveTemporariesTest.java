package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The objective's full-vocabulary intermediates are closed as soon as their small results exist
 * (at a 152k vocabulary each is a [responses, tokens, V] array; left open, they stayed until the
 * step's pass ended): what a top-K SDPO loss leaves open over the vocabulary is its inputs and the
 * arrays it must keep, and the gradient is the same.
 */
class ObjectiveTemporariesTest {
    private static final int N = 2, L = 5, V = 64;
    private static final Shape LOGITS = new Shape(1, N, L, V);

    @Test
    void sdpoLeavesFewVocabularySizedArraysOpen() {
        ObjectiveConfig cfg = ObjectiveConfig.builder().name(ObjectiveKind.SDPO)
                .divergence(DivergenceConfig.builder().topK(4).build()).build();
        Random rnd = new Random(3);
        float[] student = new float[N * L * V];
        float[] teacher = new float[N * L * V];
        for (int i = 0; i < student.length; i++) {
            student[i] = (float) rnd.nextGaussian();
            teacher[i] = (float) rnd.nextGaussian();
        }
        long[] tokens = new long[N * L];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(V);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(student, LOGITS);
            s.setRequiresGradient(true);
            NDArray t = m.create(teacher, LOGITS);
            long open;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                PolicyBatch batch = PolicyBatch.builder(s, m.create(tokens, new Shape(1, N, L)), m.ones(new Shape(1, N, L)),
                        m.create(new float[] {1f, 0f}, new Shape(1, N))).groupSize(N).teacher(t, m.ones(new Shape(1, N))).build();
                NDArray loss = Objective.create(cfg).compute(batch).loss();
                open = m.getManagedArrays().stream().filter(a -> a.size() >= (long) N * L * V).count();
                gc.backward(loss);
            }
            // Kept: the two inputs, the student's log-probs (StudentTerms), the teacher's
            // (Credit and sampled-token distillation read them) and the tail mask (Credit's
            // contrastive passes are restricted by it). Detached handles count too (they share storage).
            assertTrue(open <= 5, open + " vocabulary-sized arrays open after the loss");
            NDArray grad = s.getGradient();
            assertEquals(LOGITS, grad.getShape());
            assertTrue(grad.abs().sum().getFloat() > 0, "the loss reaches the student");
        }
    }
}
