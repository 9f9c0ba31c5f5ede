package sdpo4j.lm.decoding;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Choosing the next token from one row of logits on the host: temperature, top-k, top-p, inverse CDF. */
final class Sampling {
    private Sampling() {}

    record Choice(long token, float logProb) {}

    static Choice choose(float[] logits, SamplingConfig cfg, SplittableRandom rng) {
        int v = logits.length;
        double t = cfg.temperature() == 0 ? 1.0 : cfg.temperature();
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x / t);
        }
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = Math.exp(logits[i] / t - max);
            sum += p[i];
        }
        double logSum = Math.log(sum) + max;
        if (cfg.temperature() == 0) {
            int best = 0;
            for (int i = 1; i < v; i++) {
                best = logits[i] > logits[best] ? i : best;
            }
            return new Choice(best, (float) (logits[best] - logSum));
        }
        for (int i = 0; i < v; i++) {
            p[i] /= sum;
        }
        double[] kept = p.clone();
        if (cfg.topK() > 0 && cfg.topK() < v) {
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            double threshold = sorted[v - cfg.topK()];
            for (int i = 0; i < v; i++) {
                if (kept[i] < threshold) {
                    kept[i] = 0;
                }
            }
        }
        if (cfg.topP() < 1) {
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            double[] k = kept;
            Arrays.sort(order, (a, b) -> Double.compare(k[b], k[a]));
            double total = Arrays.stream(kept).sum();
            double cum = 0;
            boolean cut = false;
            for (int idx : order) {
                if (cut) {
                    kept[idx] = 0;
                    continue;
                }
                cum += kept[idx] / total;
                cut = cum >= cfg.topP();
            }
        }
        double total = Arrays.stream(kept).sum();
        double u = rng.nextDouble() * total;
        int token = -1;
        int lastKept = 0;
        double cum = 0;
        for (int i = 0; i < v; i++) {
            if (kept[i] > 0) {
                lastKept = i;
            }
            cum += kept[i];
            if (token < 0 && u < cum) {
                token = i;
            }
        }
        if (token < 0) {
            token = lastKept; // u landed past the rounded end of the CDF
        }
        return new Choice(token, (float) (logits[token] / t - logSum));
    }
}
