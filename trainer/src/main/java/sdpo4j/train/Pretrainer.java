package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleConsumer;
import java.util.function.IntToDoubleFunction;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.scoring.TeacherForcing;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.Autograd;
import sdpo4j.optim.GradientClipping;

/**
 * Supervised training of a model on (conversation, answer) examples: cross-entropy on the answer
 * tokens (then EOS) given the chat-rendered conversation, AdamW, global-norm clipping. Deterministic
 * for a seed.
 */
public final class Pretrainer {
    private Pretrainer() {}

    /**
     * Trains in place; {@code onStep} receives each step's mean loss. A step whose loss or
     * gradient is not finite is skipped (its gradient discarded, nothing applied) and counted;
     * more than {@link #MAX_SKIPPED_SHARE} of the steps skipped stops pretraining. Returns the
     * number of skipped steps.
     */
    public static int train(DecoderLM model, Tokenizer tokenizer, List<PretrainCorpus.Example> examples, int steps, int batch,
            double lr, long seed, DoubleConsumer onStep) {
        return train(model, tokenizer, examples, steps, batch, s -> lr, seed, onStep);
    }

    /** As {@link #train(DecoderLM, Tokenizer, List, int, int, double, long, DoubleConsumer)}, step {@code s} (from 0) at rate {@code lrAt(s)}. */
    public static int train(DecoderLM model, Tokenizer tokenizer, List<PretrainCorpus.Example> examples, int steps, int batch,
            IntToDoubleFunction lrAt, long seed, DoubleConsumer onStep) {
        List<NDArray> params = model.parameterList();
        AdamW adam = new AdamW(model.parameters(), params.get(0).getManager(), 0.9, 0.999, 1e-8, 0.0);
        params.forEach(p -> p.setRequiresGradient(true));
        List<long[]> contexts = new ArrayList<>();
        List<long[]> answers = new ArrayList<>();
        long eos = tokenizer.answerEndId();
        for (PretrainCorpus.Example e : examples) {
            contexts.add(tokenizer.encodeConversation(e.conversation()));
            long[] a = tokenizer.encode(e.answer());
            long[] withEos = java.util.Arrays.copyOf(a, a.length + 1);
            withEos[a.length] = eos;
            answers.add(withEos);
        }
        Random rnd = new Random(seed);
        int skipped = 0;
        NDManager manager = params.get(0).getManager();
        for (int s = 0; s < steps; s++) {
            List<long[]> c = new ArrayList<>();
            List<long[]> a = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                int k = rnd.nextInt(examples.size());
                c.add(contexts.get(k));
                a.add(answers.get(k));
            }
            double loss;
            boolean finite;
            try (NDManager m = manager.newSubManager(); NDScope scope = new NDScope(); Autograd.Recording rec = Autograd.record()) {
                TeacherForcing.Scored sc = TeacherForcing.score(model, m, c, a, tokenizer.padId());
                NDArray logp = sc.logits().logSoftmax(-1).gather(sc.tokens().expandDims(-1), -1).squeeze(-1);
                NDArray nll = logp.mul(sc.mask()).sum().neg().div(sc.mask().sum());
                rec.backward(nll);
                loss = nll.getFloat();
                List<NDArray> grads = new ArrayList<>();
                params.forEach(p -> grads.add(p.getGradient()));
                double norm = GradientClipping.clipGlobalNorm(grads, 1.0);
                finite = Double.isFinite(loss) && Double.isFinite(norm);
                if (!finite && ++skipped > MAX_SKIPPED_SHARE * steps) {
                    throw new TrainingException("pretraining step " + (s + 1) + ": " + (Double.isFinite(loss) ? "gradient norm" : "loss")
                            + " is " + (Double.isFinite(loss) ? norm : loss) + ", and " + skipped
                            + " steps were not finite; stopped");
                }
            }
            if (finite) {
                adam.step(model.parameters(), lrAt.applyAsDouble(s));
            }
            Autograd.zeroGradients(params);
            if (onStep != null) {
                onStep.accept(loss);
            }
        }
        params.forEach(p -> p.setRequiresGradient(false));
        return skipped;
    }

    /**
     * Linear warm-up from {@code peak / warmup} to {@code peak} over the first {@code warmup} steps,
     * then a cosine decay towards 0 at step {@code steps} (step {@code s} counted from 0). Annealing
     * to 0 lets a memorising model settle on its targets instead of ending at a constant rate's
     * noise floor.
     */
    public static IntToDoubleFunction warmupCosine(double peak, int warmup, int steps) {
        return s -> {
            if (s < warmup) {
                return peak * (s + 1) / warmup;
            }
            double progress = (s - warmup) / (double) Math.max(1, steps - warmup);
            return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
        };
    }

    /** The share of non-finite steps pretraining tolerates (skipping them) before it stops. */
    public static final double MAX_SKIPPED_SHARE = 0.01;
}
