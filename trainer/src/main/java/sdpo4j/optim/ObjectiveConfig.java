package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Yaml;

/**
 * Everything the objectives need, with SPEC defaults. One record so that a YAML
 * {@code objective:} section binds to it directly.
 *
 * @param name which objective
 * @param divergence the teacher-student comparison (sdpo, credit, hybrid)
 * @param grpo GRPO settings (grpo, and hybrid with a grpo fallback)
 * @param creditLambda weight of Credit's contrastive baseline; 0 reproduces sdpo
 * @param hybrid hybrid settings
 * @param advantageEpsilon the epsilon in the denominator of the seed paper's eq. 5
 */
public record ObjectiveConfig(
        ObjectiveKind name,
        DivergenceConfig divergence,
        GrpoConfig grpo,
        double creditLambda,
        HybridConfig hybrid,
        double advantageEpsilon) {

    public static final ObjectiveConfig DEFAULT = new ObjectiveConfig(
            ObjectiveKind.SDPO, DivergenceConfig.DEFAULT, GrpoConfig.DEFAULT, 0.1, HybridConfig.DEFAULT, 1e-6);

    public ObjectiveConfig {
        if (name == null) {
            throw new ConfigException("name", null, "one of " + Yaml.allowedValues(ObjectiveKind.class));
        }
        divergence = divergence == null ? DivergenceConfig.DEFAULT : divergence;
        grpo = grpo == null ? GrpoConfig.DEFAULT : grpo;
        hybrid = hybrid == null ? HybridConfig.DEFAULT : hybrid;
        Check.nonNegative("credit-lambda", creditLambda);
        Check.positive("advantage-epsilon", advantageEpsilon);
    }

    public ObjectiveConfig withName(ObjectiveKind kind) {
        return new ObjectiveConfig(kind, divergence, grpo, creditLambda, hybrid, advantageEpsilon);
    }

    public ObjectiveConfig withDivergence(DivergenceConfig d) {
        return new ObjectiveConfig(name, d, grpo, creditLambda, hybrid, advantageEpsilon);
    }

    public ObjectiveConfig withGrpo(GrpoConfig g) {
        return new ObjectiveConfig(name, divergence, g, creditLambda, hybrid, advantageEpsilon);
    }

    public ObjectiveConfig withCreditLambda(double lambda) {
        return new ObjectiveConfig(name, divergence, grpo, lambda, hybrid, advantageEpsilon);
    }

    public ObjectiveConfig withHybrid(HybridConfig h) {
        return new ObjectiveConfig(name, divergence, grpo, creditLambda, h, advantageEpsilon);
    }
}
