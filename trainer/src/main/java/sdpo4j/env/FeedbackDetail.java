package sdpo4j.env;

/**
 * How much an environment's feedback on a failed response says (the {@code env.feedback} key).
 * Informative feedback carries what the reward does not: which part is wrong and by how much,
 * which rule was broken, which test failed with what. Terse feedback says little more than the
 * reward does, so that the two can be compared as teacher contexts.
 */
public enum FeedbackDetail {
    INFORMATIVE,
    TERSE
}
