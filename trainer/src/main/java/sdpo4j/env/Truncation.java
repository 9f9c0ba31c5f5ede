package sdpo4j.env;

/** What happens to a teacher context longer than {@code reprompt.max-reprompt-len} tokens. */
public enum Truncation {
    /**
     * Keep the first tokens and the chat template's closing ones (end of turn, generation prompt):
     * the official SDPO code's default side, without its cut through the assistant header.
     */
    RIGHT,
    /** Keep the last tokens (TRL's only behaviour): the instruction and the assistant header at the end survive. */
    LEFT,
    /** Stop the run with a message naming the length and the limit. */
    ERROR
}
