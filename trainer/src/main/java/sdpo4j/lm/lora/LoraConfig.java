package sdpo4j.lm.lora;

import java.util.HashSet;
import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/**
 * Low-rank adapters (the {@code lora:} section): rank 0 trains every weight; rank r > 0 freezes
 * the base weights and trains {@code W + (alpha / r) B A} on the target projections, with the
 * teacher an EMA of the adapters. Each key's default and meaning: {@link Builder}.
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targets) {
    public static final LoraConfig DEFAULT = builder().build();

    public LoraConfig {
        Check.range("rank", rank, 0, 65_536);
        Check.positive("alpha", alpha);
        Check.inRange("dropout", dropout, 0, 0.99);
        Check.nonEmpty("targets", targets);
        targets = List.copyOf(targets);
        for (String t : targets) {
            Check.oneOf("targets", t, LoraTargets.NAMES);
        }
        if (new HashSet<>(targets).size() != targets.size()) {
            throw new ConfigException("targets", targets, "a list without repeats");
        }
    }

    /** Whether adapters are trained (rank > 0) instead of every weight. */
    public boolean enabled() {
        return rank > 0;
    }

    /** The factor of {@code B A}: alpha / rank. */
    public double scale() {
        return alpha / rank;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().rank(rank).alpha(alpha).dropout(dropout).targets(targets);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("adapter rank r; 0 = no adapters, every weight is trained")
        private int rank = 0;
        @Doc("adapter scale numerator: the update is `(alpha / rank) B A` (PEFT's `lora_alpha`)")
        private double alpha = 16;
        @Doc("dropout on the adapters' input while training (PEFT's `lora_dropout`); must be 0 with "
                + "`memory.checkpoint-activations`")
        private double dropout = 0.0;
        @Doc("projections that get adapters, by module: q, k, v, o, gate, up, down (families that fuse q/k/v or "
                + "gate/up into one projection are refused)")
        private List<String> targets = List.of("q", "v");

        private Builder() {}

        public Builder rank(int v) {
            rank = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder targets(List<String> v) {
            targets = v;
            return this;
        }

        public LoraConfig build() {
            return new LoraConfig(rank, alpha, dropout, targets);
        }
    }
}
