package sdpo4j.env;

/** A dataset that cannot be used; the message names the file, the line, the field and the reason. */
public final class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    /** A problem with one field of one task, before the file and line are known. */
    public static final class Field extends RuntimeException {
        final String field;

        public Field(String field, String reason) {
            super(reason);
            this.field = field;
        }
    }
}
