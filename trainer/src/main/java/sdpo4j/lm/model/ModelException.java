package sdpo4j.lm.model;

/** A model directory, config or weight set that cannot be used; the message names the file and the fix. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }
}
