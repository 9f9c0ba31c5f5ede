package sdpo4j.optim;

/** A training objective over a {@link PolicyBatch}: loss plus named metrics. */
public interface Objective {

    ObjectiveResult compute(PolicyBatch batch);

    /** The objective a config names ({@link ObjectiveConfig#effective}: sdpo with a distillation weight is the hybrid). */
    static Objective create(ObjectiveConfig named) {
        ObjectiveConfig cfg = named.effective();
        return switch (cfg.name()) {
            case REINFORCE -> new Reinforce(cfg.divergence().temperature());
            case ADVANTAGE_WEIGHTED -> new AdvantageWeighted(cfg.divergence().temperature(), cfg.advantageEpsilon());
            case GRPO -> new Grpo(cfg.grpo(), cfg.divergence().temperature());
            case SDPO -> new Sdpo(cfg.divergence());
            case CREDIT -> new Credit(cfg.divergence(), cfg.creditLambda());
            case HYBRID -> new Hybrid(cfg);
            case RFT -> new Rft(cfg.divergence().temperature(), cfg.rftThreshold());
        };
    }
}
