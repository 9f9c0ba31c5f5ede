package sdpo4j.lm.decoding;

import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.KvCache;
import sdpo4j.lm.text.Tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched sampling with a KV cache: prompts are left-padded, prefilled in one pass, then
 * extended one token per step. Tokens are drawn on the host by inverse CDF from a seeded
 * stream per sequence (DJL's multinomial is not supported on PyTorch), after temperature,
 * top-k and top-p. Runs without building autograd graphs.
 */
public final class Generator {
    private final DecoderLM model;
    private final Tokenizer tokenizer;

    public Generator(DecoderLM model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public List<Generation> generate(NDManager manager, List<long[]> prompts, SamplingConfig cfg) {
        int b = prompts.size();
        int p = prompts.stream().mapToInt(x -> x.length).max().orElse(0);
        if (p == 0) {
            throw new IllegalArgumentException("every prompt needs at least one token");
        }
        int vocab = model.config().vocabSize();
        long[] ids = new long[b * p];
        long[] mask = new long[b * p];
        long[] nextPosition = new long[b];
        boolean padded = false;
        for (int i = 0; i < b; i++) {
            long[] prompt = prompts.get(i);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty");
            }
            int pad = p - prompt.length;
            Arrays.fill(ids, i * p, i * p + pad, tokenizer.padId());
            System.arraycopy(prompt, 0, ids, i * p + pad, prompt.length);
            Arrays.fill(mask, i * p + pad, (i + 1) * p, 1);
            nextPosition[i] = prompt.length;
            padded |= pad > 0;
        }
        SplittableRandom[] rng = new SplittableRandom[b];
        for (int i = 0; i < b; i++) {
            rng[i] = new SplittableRandom(cfg.seed() + i);
        }
        List<List<Long>> out = new ArrayList<>();
        List<List<Float>> logProbs = new ArrayList<>();
        String[] reason = new String[b];
        String[] text = new String[b];
        for (int i = 0; i < b; i++) {
            out.add(new ArrayList<>());
            logProbs.add(new ArrayList<>());
        }
        try (NDManager m = manager.newSubManager(); KvCache cache = new KvCache(model.config().numLayers(), (long) p + cfg.maxNewTokens())) {
            float[] last;
            try (NDScope scope = new NDScope()) {
                NDArray maskAll = m.create(mask, new Shape(b, p));
                NDArray positions = maskAll.cumSum(1).sub(1).maximum(0);
                NDArray hidden = model.hidden(m.create(ids, new Shape(b, p)), positions, maskAll, cache);
                // Only the last position's logits are sampled from: the head runs on it alone.
                last = model.head(hidden.get(":, -1:, :")).toFloatArray();
            }
            // Decoding steps attend to every position except the prompts' left padding: with
            // padding, the additive bias over everything so far is kept on the host and sent once
            // per step; without, there is no mask at all. A finished sequence's new (pad) tokens
            // stay unmasked: nothing reads that sequence's outputs any more.
            float[] biasHost = null;
            if (padded) {
                biasHost = new float[b * p];
                for (int j = 0; j < mask.length; j++) {
                    biasHost[j] = mask[j] == 0 ? DecoderLM.MASKED : 0f;
                }
            }
            int length = p;
            long[] step = new long[b];
            for (int t = 0; t < cfg.maxNewTokens(); t++) {
                boolean any = false;
                for (int i = 0; i < b; i++) {
                    if (reason[i] != null) {
                        step[i] = tokenizer.padId();
                        continue;
                    }
                    float[] row = Arrays.copyOfRange(last, i * vocab, (i + 1) * vocab);
                    Sampling.Choice c = Sampling.choose(row, cfg, rng[i]);
                    out.get(i).add(c.token());
                    logProbs.get(i).add(c.logProb());
                    step[i] = c.token();
                    if (!cfg.ignoreEos() && tokenizer.eosIds().contains(c.token())) {
                        reason[i] = "eos";
                    } else if (!cfg.stopStrings().isEmpty()) {
                        String so = tokenizer.decode(toArray(out.get(i)));
                        for (String stop : cfg.stopStrings()) {
                            int at = so.indexOf(stop);
                            if (at >= 0) {
                                reason[i] = "stop";
                                text[i] = so.substring(0, at);
                                break;
                            }
                        }
                    }
                    any |= reason[i] == null;
                }
                if (!any || t == cfg.maxNewTokens() - 1) {
                    break;
                }
                if (padded) {
                    float[] grown = new float[b * (length + 1)]; // the new position gets 0: attended
                    for (int i = 0; i < b; i++) {
                        System.arraycopy(biasHost, i * length, grown, i * (length + 1), length);
                    }
                    biasHost = grown;
                }
                length++;
                try (NDScope scope = new NDScope()) {
                    NDArray bias = padded ? m.create(biasHost, new Shape(b, 1, 1, length)) : null;
                    NDArray logits = model.decodeStep(m.create(step, new Shape(b, 1)), nextPosition, bias, cache);
                    last = logits.toFloatArray(); // [B, 1, V]
                }
                for (int i = 0; i < b; i++) {
                    nextPosition[i]++;
                }
            }
        }
        List<Generation> result = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            long[] tokens = toArray(out.get(i));
            float[] lp = new float[tokens.length];
            for (int j = 0; j < lp.length; j++) {
                lp[j] = logProbs.get(i).get(j);
            }
            String finish = reason[i] == null ? "length" : reason[i];
            String decoded = text[i] != null ? text[i] : tokenizer.decode(tokens);
            result.add(new Generation(tokens, lp, decoded, finish));
        }
        return result;
    }

    private static long[] toArray(List<Long> xs) {
        long[] a = new long[xs.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = xs.get(i);
        }
        return a;
    }
}
