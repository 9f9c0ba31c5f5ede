package sdpo4j.lm.model;

import sdpo4j.lm.scoring.TeacherForcing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.FreedMemory;
import sdpo4j.optim.Objective;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.optim.PolicyBatch;

/**
 * The Credit NaN of docs/reliability.md, made deterministic: a garbage collection between a
 * training forward pass and its backward pass freed the buffers of numbers DJL had wrapped in
 * tensors (GPT-2's GELU constants among them) while autograd still held them, and the backward
 * pass read freed memory. Here the collector is forced to run at exactly that moment; the
 * parameter gradients must not change by a bit.
 */
class GradientLifetimeTest {

    /** Every parameter's gradient of a Credit loss on teacher-forced responses, flattened in parameter order. */
    static List<float[]> gradients(String model, boolean release) {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM lm = GoldenModels.model(model, m);
            for (NDArray p : lm.parameterList()) {
                p.setRequiresGradient(true);
            }
            List<long[]> contexts = List.of(new long[] {5, 9, 2}, new long[] {14, 1});
            List<long[]> teacherContexts = List.of(new long[] {5, 9, 2, 30, 31}, new long[] {14, 1, 30, 31});
            List<long[]> contrastContexts = List.of(new long[] {14, 1, 30, 31}, new long[] {5, 9, 2, 30, 31});
            List<long[]> responses = List.of(new long[] {7, 7, 12, 3}, new long[] {38, 20});
            NDArray teacher = TeacherForcing.score(lm, m, teacherContexts, responses, 0).logits().expandDims(0);
            NDArray contrast = TeacherForcing.score(lm, m, contrastContexts, responses, 0).logits().expandDims(0);
            // Top-K 8 of 40 ids: the tail bucket and its floor are on the gradient's path.
            ObjectiveConfig cfg = ObjectiveConfig.DEFAULT.withName(ObjectiveKind.CREDIT)
                    .withDivergence(ObjectiveConfig.DEFAULT.divergence().withTopK(8));
            try (Autograd.Recording rec = Autograd.record()) {
                TeacherForcing.Scored s = TeacherForcing.score(lm, m, contexts, responses, 0);
                PolicyBatch batch = PolicyBatch.builder(s.logits().expandDims(0), s.tokens().expandDims(0),
                                s.mask().expandDims(0), m.create(new float[] {0.2f, 0.9f}, new Shape(1, 2)))
                        .groupSize(1)
                        .teacher(teacher.stopGradient(), m.create(new float[] {1, 1}, new Shape(1, 2)))
                        .contrastive(List.of(contrast.stopGradient()))
                        .build();
                NDArray loss = Objective.create(cfg).compute(batch).loss().sum();
                if (release) {
                    FreedMemory.release();
                }
                rec.backward(loss);
            }
            List<float[]> out = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : lm.parameters().entrySet()) {
                out.add(e.getValue().getGradient().toFloatArray());
            }
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa"})
    void aCollectionBetweenForwardAndBackwardChangesNoGradient(String model) {
        List<float[]> clean = gradients(model, false);
        List<float[]> released = gradients(model, true);
        boolean moved = false;
        for (int i = 0; i < clean.size(); i++) {
            assertArrayEquals(clean.get(i), released.get(i), "parameter " + i + " of " + model);
            for (float g : clean.get(i)) {
                moved |= g != 0;
            }
        }
        assertTrue(moved, "the loss has a gradient at all");
    }
}
