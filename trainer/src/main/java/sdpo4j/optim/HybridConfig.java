package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.config.Yaml;

/**
 * The hybrid of the seed paper's eq. 6: {@code a * sdpo + (1 - a) * fallback} with
 * {@code a = sigmoid((KL(teacher||student) - tau) / (tau / 3))}. Each key's default and
 * meaning: {@link Builder}.
 */
public record HybridConfig(double tau, ObjectiveKind fallback, Double forceAlpha) {

    public static final HybridConfig DEFAULT = builder().build();

    public HybridConfig {
        Check.positive("tau", tau);
        if (fallback != ObjectiveKind.REINFORCE && fallback != ObjectiveKind.GRPO) {
            throw new ConfigException("fallback", fallback == null ? null : Yaml.enumName(fallback), "one of [reinforce, grpo]");
        }
        if (forceAlpha != null) {
            Check.inRange("force-alpha", forceAlpha, 0, 1);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().tau(tau).fallback(fallback).forceAlpha(forceAlpha);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("KL threshold at which the sdpo weight a is 0.5")
        private double tau = 0.25;
        @Doc("the sparse objective mixed in: `reinforce` or `grpo`")
        private ObjectiveKind fallback = ObjectiveKind.REINFORCE;
        @Doc("a fixed weight a in [0, 1] instead of the KL rule, or null")
        private Double forceAlpha = null;

        private Builder() {}

        public Builder tau(double v) {
            tau = v;
            return this;
        }

        public Builder fallback(ObjectiveKind v) {
            fallback = v;
            return this;
        }

        public Builder forceAlpha(Double v) {
            forceAlpha = v;
            return this;
        }

        public HybridConfig build() {
            return new HybridConfig(tau, fallback, forceAlpha);
        }
    }
}
