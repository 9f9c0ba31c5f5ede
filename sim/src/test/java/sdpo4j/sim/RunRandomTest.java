package sdpo4j.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RunRandomTest {

    /**
     * The sampler against the plain inverse-CDF scan it replaces (first index whose running sum
     * exceeds the uniform, the leftover mass going to the last token), on the same uniforms.
     * Probabilities include zeros, a token that takes everything, and rows that sum to less
     * than 1, so a sampler that dropped the last-token guard or mishandled a zero step fails.
     */
    @Test
    void samplesExactlyWhatAnInverseCdfScanSamples() {
        int runs = 40;
        int rollouts = 32;
        int length = 6;
        int vocab = 8;
        SplittableRandom gen = new SplittableRandom(7);
        float[] probs = new float[runs * length * vocab];
        for (int row = 0; row < runs * length; row++) {
            int base = row * vocab;
            switch (row % 4) {
                case 0 -> probs[base + gen.nextInt(vocab)] = 1f;
                case 1 -> {
                    for (int v = 0; v < vocab; v++) {
                        probs[base + v] = v % 3 == 1 ? 0f : 0.9f / (vocab - (vocab + 1) / 3);
                    }
                }
                default -> {
                    double sum = 0;
                    double[] w = new double[vocab];
                    for (int v = 0; v < vocab; v++) {
                        w[v] = gen.nextDouble() < 0.25 ? 0 : Math.exp(3 * gen.nextGaussian());
                        sum += w[v];
                    }
                    for (int v = 0; v < vocab; v++) {
                        probs[base + v] = sum == 0 ? 0f : (float) (w[v] / sum);
                    }
                }
            }
        }
        List<RunSpec> specs = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            specs.add(new RunSpec("test", SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, 1000 + r));
        }
        long[] expected = new long[runs * rollouts * length];
        int i = 0;
        for (int r = 0; r < runs; r++) {
            SplittableRandom s = RunRandom.stream(specs.get(r).seed());
            for (int b = 0; b < rollouts; b++) {
                for (int t = 0; t < length; t++) {
                    double u = s.nextDouble();
                    int base = (r * length + t) * vocab;
                    int v = 0;
                    double cdf = probs[base];
                    while (u >= cdf && v < vocab - 1) {
                        v++;
                        cdf += probs[base + v];
                    }
                    expected[i++] = v;
                }
            }
        }
        assertArrayEquals(expected, new RunRandom(specs).sample(probs, rollouts, length, vocab));
    }
}
