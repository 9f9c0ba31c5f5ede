package sdpo4j.lm.scoring;

import sdpo4j.lm.model.DecoderLM;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Scores given responses after given contexts in one forward pass: the logits that predicted
 * each response token. This is what both the student (with gradient) and the teacher (without)
 * compute in training; the result plugs into {@code sdpo4j.optim.PolicyBatch}.
 */
public final class TeacherForcing {
    private TeacherForcing() {}

    /**
     * @param logits {@code [B, Lr, V]}: row b, position j predicts response token j of sequence b
     * @param tokens the response ids {@code [B, Lr]}, padded with 0
     * @param mask 1 at real response positions {@code [B, Lr]} (float)
     */
    public record Scored(NDArray logits, NDArray tokens, NDArray mask) {}

    /**
     * Contexts and responses are concatenated per row and right-padded; positions count from
     * the first context token. Gradient flows to the model's parameters when the caller records.
     */
    public static Scored score(DecoderLM model, NDManager m, List<long[]> contexts, List<long[]> responses, long padId) {
        int b = contexts.size();
        if (responses.size() != b) {
            throw new IllegalArgumentException(b + " contexts but " + responses.size() + " responses");
        }
        int total = 0;
        int lr = 1;
        for (int i = 0; i < b; i++) {
            if (contexts.get(i).length == 0) {
                throw new IllegalArgumentException("context " + i + " is empty: the first response token needs a context");
            }
            total = Math.max(total, contexts.get(i).length + responses.get(i).length);
            lr = Math.max(lr, responses.get(i).length);
        }
        long[] ids = new long[b * total];
        long[] mask = new long[b * total];
        long[] gather = new long[b * lr];
        long[] tokens = new long[b * lr];
        float[] responseMask = new float[b * lr];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            long[] c = contexts.get(i);
            long[] r = responses.get(i);
            System.arraycopy(c, 0, ids, i * total, c.length);
            System.arraycopy(r, 0, ids, i * total + c.length, r.length);
            java.util.Arrays.fill(mask, i * total, i * total + c.length + r.length, 1);
            for (int j = 0; j < lr; j++) {
                // Logits at position c.length - 1 + j predict response token j.
                gather[i * lr + j] = j < r.length ? c.length - 1 + j : 0;
                tokens[i * lr + j] = j < r.length ? r[j] : 0;
                responseMask[i * lr + j] = j < r.length ? 1 : 0;
            }
        }
        NDArray maskArray = m.create(mask, new Shape(b, total));
        NDArray positions = m.arange(0, total, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, total).repeat(0, b);
        NDArray hidden = model.hidden(m.create(ids, new Shape(b, total)), positions, maskArray, null);
        // Gather the hidden states first: the head then runs on response positions only.
        long h = model.config().hiddenSize();
        NDArray index = m.create(gather, new Shape(b, lr, 1)).repeat(2, h);
        NDArray logits = model.head(hidden.gather(index, 1));
        return new Scored(logits, m.create(tokens, new Shape(b, lr)), m.create(responseMask, new Shape(b, lr)));
    }
}
