package sdpo4j.env;

/** What happens to a teacher context longer than {@code reprompt.max-reprompt-len} tokens. */
public enum Truncation {
    /** Keep the first tokens (the official SDPO code's default). */
    RIGHT,
    /** Keep the last tokens: the instruction and the assistant header at the end survive. */
    LEFT,
    /** Stop the run with a message naming the length and the limit. */
    ERROR
}
