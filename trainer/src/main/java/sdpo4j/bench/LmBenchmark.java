package sdpo4j.bench;

import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import sdpo4j.optim.Autograd;

/**
 * Throughput of the decoder on this machine: forward+backward tokens per second, greedy
 * generation tokens per second with the KV cache, and (on small models) without it. The
 * {@code lm-bench} command prints these beside PyTorch eager running the same model files.
 *
 * <p>Generation is timed {@code reps} times each way, alternating cached and recomputing runs
 * after one untimed run of each, and the best run of each way counts: on a machine shared with
 * other work a single run can be several times slower than the next, and alternating exposes both
 * ways to the same spells of load.
 */
public final class LmBenchmark {
    private LmBenchmark() {}

    /** Figures for one model; {@code genNoCacheTokS} is NaN where not measured. */
    public record Result(double fwdBwdTokS, double genCacheTokS, double genNoCacheTokS) {}

    public static Result measure(Path dir, int batch, int seq, int newTokens, boolean noCache, int reps) {
        if (reps < 1) {
            throw new IllegalArgumentException("reps must be at least 1, got " + reps);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = HfCheckpoint.load(dir, m);
            Random rnd = new Random(1);
            int fbReps = 3;
            double fbSeconds = java.util.Arrays.stream(fwdBwdSeconds(model, m, rnd, batch, seq, fbReps)).sum();
            double fb = fbReps * (double) batch * seq / fbSeconds;
            List<long[]> prompts = randomPrompts(rnd, batch, 8);
            double cached = Double.POSITIVE_INFINITY;
            double recomputing = Double.POSITIVE_INFINITY;
            try (Tokenizer tok = Tokenizer.load(dir, model.config())) {
                Generator g = new Generator(model, tok);
                SamplingConfig greedy = SamplingConfig.builder().temperature(0).maxNewTokens(newTokens).ignoreEos(true).build();
                g.generate(m, prompts, greedy);
                if (noCache) {
                    generateRecomputing(model, m, prompts, newTokens);
                }
                for (int r = 0; r < reps; r++) {
                    long t1 = System.nanoTime();
                    g.generate(m, prompts, greedy);
                    cached = Math.min(cached, (System.nanoTime() - t1) / 1e9);
                    if (noCache) {
                        recomputing = Math.min(recomputing, generateRecomputing(model, m, prompts, newTokens));
                    }
                }
            }
            double tokens = batch * (double) newTokens;
            return new Result(fb, tokens / cached, noCache ? tokens / recomputing : Double.NaN);
        }
    }

    /**
     * Seconds of each of {@code reps} next-token forward+backward passes over a {@code [batch, seq]}
     * batch of random ids, after one untimed pass; the model's weights record gradients meanwhile.
     */
    public static double[] fwdBwdSeconds(DecoderLM model, NDManager m, Random rnd, int batch, int seq, int reps) {
        long[] ids = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(256);
        }
        try (NDScope scope = new NDScope()) {
            NDArray input = m.create(ids, new Shape(batch, seq));
            NDArray mask = input.onesLike();
            NDArray positions = m.arange(0, seq, 1, DataType.INT64).reshape(1, seq).repeat(0, batch);
            for (NDArray p : model.parameterList()) {
                p.setRequiresGradient(true);
            }
            double[] seconds = new double[reps];
            for (int r = -1; r < reps; r++) {
                long t0 = System.nanoTime();
                fwdBwd(model, input, positions, mask);
                if (r >= 0) {
                    seconds[r] = (System.nanoTime() - t0) / 1e9;
                }
            }
            for (NDArray p : model.parameterList()) {
                p.setRequiresGradient(false);
            }
            return seconds;
        }
    }

    /** {@code batch} prompts of {@code length} random ids below 256. */
    public static List<long[]> randomPrompts(Random rnd, int batch, int length) {
        List<long[]> prompts = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            long[] p = new long[length];
            for (int i = 0; i < p.length; i++) {
                p[i] = rnd.nextInt(256);
            }
            prompts.add(p);
        }
        return prompts;
    }

    /** One next-token cross-entropy forward and backward. */
    public static void fwdBwd(DecoderLM model, NDArray input, NDArray positions, NDArray mask) {
        try (NDScope scope = new NDScope(); Autograd.Recording rec = Autograd.record()) {
            NDArray logits = model.forward(input, positions, mask, null);
            NDArray logp = logits.get(":, :-1, :").logSoftmax(-1);
            NDArray target = input.get(":, 1:").expandDims(-1);
            rec.backward(logp.gather(target, -1).mean().neg());
        }
    }

    /** Greedy generation by a full forward pass over the whole sequence per new token; returns seconds. */
    private static double generateRecomputing(DecoderLM model, NDManager m, List<long[]> prompts, int newTokens) {
        int b = prompts.size();
        int p = prompts.get(0).length;
        long[] seqs = new long[b * (p + newTokens)];
        for (int i = 0; i < b; i++) {
            System.arraycopy(prompts.get(i), 0, seqs, i * (p + newTokens), p);
        }
        long t0 = System.nanoTime();
        for (int len = p; len < p + newTokens; len++) {
            try (NDScope scope = new NDScope()) {
                long[] ids = new long[b * len];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(seqs, i * (p + newTokens), ids, i * len, len);
                }
                NDArray input = m.create(ids, new Shape(b, len));
                NDArray pos = m.arange(0, len, 1, DataType.INT64).reshape(1, len).repeat(0, b);
                long[] next = model.forward(input, pos, input.onesLike(), null).get(":, -1, :").argMax(-1).toLongArray();
                for (int i = 0; i < b; i++) {
                    seqs[i * (p + newTokens) + len] = next[i];
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Resident set size of this process in MiB, from /proc (Linux); NaN elsewhere. */
    public static double residentMiB() {
        long kib = ProcStatus.kib(ProcStatus.SELF, "VmRSS");
        return kib < 0 ? Double.NaN : kib / 1024.0;
    }
}
