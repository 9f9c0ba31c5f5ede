package sdpo4j.optim;

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
        if (!(tau > 0)) {
            throw new IllegalArgumentException("tau must be > 0, got " + tau);
        }
        if (fallback != ObjectiveKind.REINFORCE && fallback != ObjectiveKind.GRPO) {
            throw new IllegalArgumentException("fallback must be reinforce or grpo, got " + fallback);
        }
        if (forceAlpha != null && !(forceAlpha >= 0 && forceAlpha <= 1)) {
            throw new IllegalArgumentException("forceAlpha must be in [0, 1], got " + forceAlpha);
        }
    }
}
