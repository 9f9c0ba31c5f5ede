package sdpo4j.env;

/**
 * An environment's verdict on one response.
 *
 * @param reward in [0, 1]
 * @param success reward reached the environment's success threshold
 * @param feedback text a model can read about what was wrong (empty when there is none)
 */
public record Score(double reward, boolean success, String feedback) {
    public Score {
        if (!(reward >= 0 && reward <= 1)) {
            throw new IllegalArgumentException("reward must be in [0, 1], got " + reward);
        }
        feedback = feedback == null ? "" : feedback;
    }
}
