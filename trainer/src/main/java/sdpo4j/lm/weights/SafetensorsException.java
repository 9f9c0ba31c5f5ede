package sdpo4j.lm.weights;

/** A safetensors file or index that cannot be read as promised; the message names the file and what is wrong. */
public final class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
