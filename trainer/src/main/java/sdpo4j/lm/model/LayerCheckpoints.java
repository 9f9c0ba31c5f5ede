package sdpo4j.lm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import sdpo4j.optim.Autograd;

/**
 * Activation (gradient) checkpointing of a stack of blocks. The forward runs every block without
 * recording and keeps only the block inputs {@code [B, L, H]}; the result is a fresh leaf that
 * requires a gradient, so the caller's loss records only from there. After the caller's backward
 * ({@link Autograd#continueBackward}) each block, last first, is run again with recording from
 * its saved input and back-propagated with the gradient of its output; the input's gradient is
 * the next block's output gradient, and the embedding's graph gets the first.
 *
 * <p>The gradients are those of the plain pass (a test compares them); the cost is one more
 * forward of the blocks, and activation memory is the saved inputs plus one block's graph.
 * A block must compute the same function both times: no random dropout (the training config
 * refuses LoRA dropout with checkpointing).
 */
final class LayerCheckpoints {
    private LayerCheckpoints() {}

    /**
     * Blocks {@code 0..n-1} on {@code x} (whose graph, if any, is continued into by the backward).
     *
     * @param xTrained whether x's graph reaches trained parameters (the embedding table's; DJL's
     *     requiresGrad reads false on arrays computed from them, so the caller says)
     * @param blocks block i as a function of its input
     */
    static NDArray forward(NDArray x, boolean xTrained, int n, IntFunction<UnaryOperator<NDArray>> blocks) {
        List<NDArray> inputs = new ArrayList<>(n);
        NDArray top;
        JniUtils.setGradMode(false);
        try {
            // A copy, not stopGradient(): DJL's detaches x itself, cutting the embedding's graph.
            NDArray h = x.duplicate();
            for (int i = 0; i < n; i++) {
                inputs.add(h);
                NDArray out;
                try (NDScope layer = new NDScope()) {
                    out = blocks.apply(i).apply(h);
                    NDScope.unregister(out);
                }
                NDScope.register(out);
                h = out;
            }
            top = h;
        } finally {
            JniUtils.setGradMode(true);
        }
        top.setRequiresGradient(true);
        Autograd.continueBackward(() -> backward(xTrained ? x : null, top, inputs, blocks));
        return top;
    }

    private static void backward(NDArray x, NDArray top, List<NDArray> inputs, IntFunction<UnaryOperator<NDArray>> blocks) {
        NDArray grad = top.getGradient();
        for (int i = inputs.size() - 1; i >= 0; i--) {
            NDArray in = inputs.get(i);
            in.setRequiresGradient(true);
            try (NDScope layer = new NDScope()) {
                NDArray out = blocks.apply(i).apply(in);
                JniUtils.backward((PtNDArray) out, (PtNDArray) grad, false, false);
            }
            grad.close();
            grad = in.getGradient();
            if (i > 0) {
                in.close(); // block i - 1's output: nothing reads it any more
            }
        }
        if (x != null) {
            // The embedding lookup recorded a graph (its table is trained): finish into it.
            JniUtils.backward((PtNDArray) x, (PtNDArray) grad, false, false);
        }
        grad.close();
    }
}
