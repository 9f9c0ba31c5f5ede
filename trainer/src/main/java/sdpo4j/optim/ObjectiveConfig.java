package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.config.Yaml;

/**
 * Everything the objectives need, with SPEC defaults. One record so that a YAML
 * {@code objective:} section binds to it directly. Each key's default and meaning:
 * {@link Builder}.
 */
public record ObjectiveConfig(
        ObjectiveKind name,
        DivergenceConfig divergence,
        GrpoConfig grpo,
        double creditLambda,
        int contrastPrompts,
        HybridConfig hybrid,
        double advantageEpsilon,
        double rftThreshold,
        double distillationWeight) {

    public static final ObjectiveConfig DEFAULT = builder().build();

    public ObjectiveConfig {
        if (name == null) {
            throw new ConfigException("name", null, "one of " + Yaml.allowedValues(ObjectiveKind.class));
        }
        divergence = divergence == null ? DivergenceConfig.DEFAULT : divergence;
        grpo = grpo == null ? GrpoConfig.DEFAULT : grpo;
        hybrid = hybrid == null ? HybridConfig.DEFAULT : hybrid;
        Check.nonNegative("credit-lambda", creditLambda);
        Check.range("contrast-prompts", contrastPrompts, 1, 100_000);
        Check.positive("advantage-epsilon", advantageEpsilon);
        Check.nonNegative("rft-threshold", rftThreshold);
        Check.inRange("distillation-weight", distillationWeight, 0, 1);
        if (name == ObjectiveKind.CREDIT && divergence.mode() == DistillationMode.SAMPLED_TOKEN) {
            throw new ConfigException("divergence.mode", "sampled-token", "top-k or full for credit: its contrastive "
                    + "baseline debiases the teacher over a support of tokens, not at the sampled one");
        }
    }

    /**
     * The objective this config runs. {@code sdpo} with a distillation weight {@code w < 1} is the
     * hybrid with the fixed weight {@code force-alpha: w} and the grpo fallback,
     * {@code w * sdpo + (1 - w) * grpo}: one objective, reached by either key.
     */
    public ObjectiveConfig effective() {
        if (name != ObjectiveKind.SDPO || distillationWeight == 1) {
            return this;
        }
        return toBuilder().name(ObjectiveKind.HYBRID).distillationWeight(1)
                .hybrid(hybrid.toBuilder().forceAlpha(distillationWeight).fallback(ObjectiveKind.GRPO).build()).build();
    }

    public ObjectiveConfig withName(ObjectiveKind kind) {
        return toBuilder().name(kind).build();
    }

    public ObjectiveConfig withDivergence(DivergenceConfig d) {
        return toBuilder().divergence(d).build();
    }

    public ObjectiveConfig withGrpo(GrpoConfig g) {
        return toBuilder().grpo(g).build();
    }

    public ObjectiveConfig withCreditLambda(double lambda) {
        return toBuilder().creditLambda(lambda).build();
    }

    public ObjectiveConfig withHybrid(HybridConfig h) {
        return toBuilder().hybrid(h).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().name(name).divergence(divergence).grpo(grpo).creditLambda(creditLambda)
                .contrastPrompts(contrastPrompts).hybrid(hybrid)
                .advantageEpsilon(advantageEpsilon).rftThreshold(rftThreshold).distillationWeight(distillationWeight);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("which objective: `sdpo`, `credit`, `grpo`, `hybrid`, `reinforce`, `advantage-weighted` or `rft` "
                + "(rejection-sampling fine-tuning: supervised steps on the successful rollouts)")
        private ObjectiveKind name = ObjectiveKind.SDPO;
        @Doc("the teacher-student comparison (sdpo, credit, hybrid)")
        private DivergenceConfig divergence = DivergenceConfig.DEFAULT;
        @Doc("GRPO settings (grpo, and hybrid with a grpo fallback)")
        private GrpoConfig grpo = GrpoConfig.DEFAULT;
        @Doc("weight of Credit's contrastive baseline; 0 reproduces sdpo")
        private double creditLambda = 0.1;
        @Doc("Credit's C: distinct other prompts of the batch drawn per response for the contrastive "
                + "baseline (at most `prompts` - 1)")
        private int contrastPrompts = 1;
        @Doc("hybrid settings; `hybrid` with `force-alpha: w` and `fallback: grpo` is the fixed mix "
                + "`w * sdpo + (1 - w) * grpo` (`sdpo` with `distillation-weight: w`)")
        private HybridConfig hybrid = HybridConfig.DEFAULT;
        @Doc("the epsilon in the denominator of the seed paper's eq. 5")
        private double advantageEpsilon = 1e-6;
        @Doc("rft: reward at or above which a rollout counts as successful and is trained on")
        private double rftThreshold = 1.0;
        @Doc("sdpo: `w` in `(1 - w) * grpo + w * sdpo` (the grpo term uses the `grpo` settings); 1 = sdpo alone. The "
                + "same objective as `hybrid` with `force-alpha: w` and `fallback: grpo`; the other objectives (a "
                + "comparison's grpo arm) do not read it")
        private double distillationWeight = 1.0;

        private Builder() {}

        public Builder name(ObjectiveKind v) {
            name = v;
            return this;
        }

        public Builder divergence(DivergenceConfig v) {
            divergence = v;
            return this;
        }

        public Builder grpo(GrpoConfig v) {
            grpo = v;
            return this;
        }

        public Builder creditLambda(double v) {
            creditLambda = v;
            return this;
        }

        public Builder contrastPrompts(int v) {
            contrastPrompts = v;
            return this;
        }

        public Builder hybrid(HybridConfig v) {
            hybrid = v;
            return this;
        }

        public Builder advantageEpsilon(double v) {
            advantageEpsilon = v;
            return this;
        }

        public Builder rftThreshold(double v) {
            rftThreshold = v;
            return this;
        }

        public Builder distillationWeight(double v) {
            distillationWeight = v;
            return this;
        }

        public ObjectiveConfig build() {
            return new ObjectiveConfig(name, divergence, grpo, creditLambda, contrastPrompts, hybrid, advantageEpsilon,
                    rftThreshold, distillationWeight);
        }
    }
}
