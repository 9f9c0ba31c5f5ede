package sdpo4j.optim;

/** Whose top-K tokens form the support of the divergence at each position. */
public enum TopKSource {
    /** The student's top-K, as in the official SDPO code. */
    STUDENT,
    /** The teacher's top-K, as in the Credit paper's hyperparameter table. */
    TEACHER
}
