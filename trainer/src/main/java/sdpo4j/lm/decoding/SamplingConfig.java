package sdpo4j.lm.decoding;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.Doc;

/** How to sample continuations. Each setting's default and meaning: {@link Builder}. */
public record SamplingConfig(double temperature, int topK, double topP, int maxNewTokens, List<String> stopStrings, long seed,
        boolean ignoreEos) {

    public static final SamplingConfig DEFAULT = builder().build();

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
        return toBuilder().seed(s).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().temperature(temperature).topK(topK).topP(topP).maxNewTokens(maxNewTokens).stopStrings(stopStrings)
                .seed(seed).ignoreEos(ignoreEos);
    }

    /** The settings with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("divides the logits; 0 means greedy")
        private double temperature = 1.0;
        @Doc("keep the K most likely tokens; 0 keeps all")
        private int topK = 0;
        @Doc("keep the smallest set of tokens whose probability reaches top-p; 1 keeps all")
        private double topP = 1.0;
        @Doc("upper bound on generated tokens per sequence")
        private int maxNewTokens = 64;
        @Doc("stop a sequence when its text contains one of these (the stop string is cut off)")
        private List<String> stopStrings = List.of();
        @Doc("sampling seed; sequence i of a batch uses stream `seed + i`")
        private long seed = 0;
        @Doc("keep generating past EOS (benchmarks: every sequence makes max-new-tokens)")
        private boolean ignoreEos = false;

        private Builder() {}

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        public SamplingConfig build() {
            return new SamplingConfig(temperature, topK, topP, maxNewTokens, stopStrings, seed, ignoreEos);
        }
    }
}
