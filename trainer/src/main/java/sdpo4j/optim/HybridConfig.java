package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Yaml;

/**
 * The hybrid of the seed paper's eq. 6: {@code a * sdpo + (1 - a) * fallback} with
 * {@code a = sigmoid((KL(teacher||student) - tau) / (tau / 3))}.
 *
 * @param tau KL threshold at which a = 0.5
 * @param fallback the sparse objective mixed in: reinforce or grpo
 * @param forceAlpha a fixed weight in [0, 1] instead of the KL rule, or null
 */
public record HybridConfig(double tau, ObjectiveKind fallback, Double forceAlpha) {

    public static final HybridConfig DEFAULT = new HybridConfig(0.25, ObjectiveKind.REINFORCE, null);

    public HybridConfig {
        Check.positive("tau", tau);
        if (fallback != ObjectiveKind.REINFORCE && fallback != ObjectiveKind.GRPO) {
            throw new ConfigException("fallback", fallback == null ? null : Yaml.enumName(fallback), "one of [reinforce, grpo]");
        }
        if (forceAlpha != null) {
            Check.inRange("force-alpha", forceAlpha, 0, 1);
        }
    }
}
