package sdpo4j.sim;

import sdpo4j.optim.ObjectiveKind;

/** The methods the simulator compares; each runs the shared objective of the same name. */
public enum SimMethod {
    SDPO(ObjectiveKind.SDPO),
    REINFORCE(ObjectiveKind.REINFORCE),
    ADVANTAGE_WEIGHTED(ObjectiveKind.ADVANTAGE_WEIGHTED),
    GRPO(ObjectiveKind.GRPO),
    CREDIT(ObjectiveKind.CREDIT),
    HYBRID(ObjectiveKind.HYBRID);

    final ObjectiveKind objective;

    SimMethod(ObjectiveKind objective) {
        this.objective = objective;
    }

    /** The shared objective this method runs. */
    public ObjectiveKind objective() {
        return objective;
    }

    /** Whether the method distils from the feedback-conditioned teacher. */
    public boolean usesTeacher() {
        return this == SDPO || this == CREDIT || this == HYBRID;
    }

    public String label() {
        return switch (this) {
            case SDPO -> "SDPO";
            case REINFORCE -> "REINFORCE";
            case ADVANTAGE_WEIGHTED -> "Adv-weighted";
            case GRPO -> "GRPO";
            case CREDIT -> "Credit";
            case HYBRID -> "Hybrid";
        };
    }
}
