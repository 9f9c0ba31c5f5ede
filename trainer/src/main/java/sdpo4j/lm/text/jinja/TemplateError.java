package sdpo4j.lm.text.jinja;

/**
 * A template that cannot be parsed or rendered, with the template line where it happened (0 when
 * unknown). {@link #raised()} tells a template's own {@code raise_exception(msg)} from our errors.
 */
public final class TemplateError extends RuntimeException {
    private final int line;
    private final boolean raised;

    public TemplateError(String message) {
        this(message, 0, false);
    }

    TemplateError(String message, int line, boolean raised) {
        super(message);
        this.line = line;
        this.raised = raised;
    }

    static TemplateError raised(String message) {
        return new TemplateError(message, 0, true);
    }

    /** The template's own message when {@link #raised()}, else what went wrong. */
    public String detail() {
        return getMessage();
    }

    public int line() {
        return line;
    }

    public boolean raised() {
        return raised;
    }

    TemplateError atLine(int at) {
        return line > 0 || at <= 0 ? this : new TemplateError(getMessage(), at, raised);
    }
}
