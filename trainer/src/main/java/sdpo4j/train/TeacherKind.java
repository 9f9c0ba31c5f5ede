package sdpo4j.train;

/**
 * Which weights score the teacher contexts (TRL's {@code teacher_model_kind}, the official code's
 * {@code teacher_regularization}). The teacher model starts as a copy of the student; what happens
 * to it afterwards, and whether the student takes part in its logits, is the kind.
 */
public enum TeacherKind {
    /** An exponential moving average of the student: {@code t <- (1 - r) t + r s} (SPEC 3, the default). */
    EMA,
    /** The current student: the teacher copies it after every optimizer step (an EMA of rate 1). */
    LIVE,
    /** The initial student, frozen (an EMA of rate 0). */
    BASE,
    /**
     * The official code's trust-region teacher: logits {@code lerp(ref, student, r)} on the teacher
     * context, {@code ref} the frozen initial model and {@code student} the current one (no gradient),
     * {@code r} the ema-rate. The teacher model itself never moves.
     */
    TRUST_REGION;

    /** The rate the teacher's weights move toward the student's at each sync, given {@code ema-rate}. */
    public double weightRate(double emaRate) {
        return switch (this) {
            case EMA -> emaRate;
            case LIVE -> 1;
            case BASE, TRUST_REGION -> 0;
        };
    }
}
