package sdpo4j.train;

/** When the EMA teacher moves toward the student (SPEC 3). */
public enum EmaSchedule {
    /** After every optimizer step (the default). */
    OPTIMIZER_STEP,
    /** Once per rollout batch, after its last optimizer step. */
    ROLLOUT_BATCH
}
