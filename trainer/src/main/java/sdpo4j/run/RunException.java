package sdpo4j.run;

/** A run that cannot start or continue for a reason the user can fix; the message says which. */
public final class RunException extends RuntimeException {
    public RunException(String message) {
        super(message);
    }

    public RunException(String message, Throwable cause) {
        super(message, cause);
    }
}
