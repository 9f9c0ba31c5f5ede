package sdpo4j.lm.decoding;

import java.util.List;
import sdpo4j.config.Check;

/**
 * How to sample continuations.
 *
 * @param temperature divides the logits; 0 means greedy
 * @param topK keep the K most likely tokens; 0 keeps all
 * @param topP keep the smallest set of tokens whose probability reaches topP; 1 keeps all
 * @param maxNewTokens upper bound on generated tokens per sequence
 * @param stopStrings stop a sequence when its text contains one of these (the stop string is cut off)
 * @param seed sampling seed; sequence i of a batch uses stream {@code seed + i}
 * @param ignoreEos keep generating past EOS (benchmarks: every sequence makes maxNewTokens)
 */
public record SamplingConfig(double temperature, int topK, double topP, int maxNewTokens, List<String> stopStrings, long seed,
        boolean ignoreEos) {

    public static final SamplingConfig DEFAULT = new SamplingConfig(1.0, 0, 1.0, 64, List.of(), 0, false);

    public SamplingConfig(double temperature, int topK, double topP, int maxNewTokens, List<String> stopStrings, long seed) {
        this(temperature, topK, topP, maxNewTokens, stopStrings, seed, false);
    }

    public SamplingConfig {
        Check.nonNegative("temperature", temperature);
        Check.atLeast("top-k", topK, 0);
        Check.inRange("top-p", topP, 1e-9, 1);
        Check.atLeast("max-new-tokens", maxNewTokens, 1);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public SamplingConfig withSeed(long s) {
        return new SamplingConfig(temperature, topK, topP, maxNewTokens, stopStrings, s, ignoreEos);
    }
}
