package sdpo4j.train;

/** Training cannot go on (a non-finite loss or gradient, a checkpoint that cannot be used): a one-line message. */
public final class TrainingException extends RuntimeException {
    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
