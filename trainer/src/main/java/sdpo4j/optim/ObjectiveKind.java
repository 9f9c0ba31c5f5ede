package sdpo4j.optim;

/** The objectives of SPEC 1, by their config names. */
public enum ObjectiveKind {
    REINFORCE,
    ADVANTAGE_WEIGHTED,
    GRPO,
    SDPO,
    CREDIT,
    HYBRID,
    /** Rejection-sampling fine-tuning: supervised steps on the successful rollouts ({@link Rft}). */
    RFT
}
