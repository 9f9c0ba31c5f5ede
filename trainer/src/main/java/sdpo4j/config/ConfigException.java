package sdpo4j.config;

/**
 * A configuration value that cannot be used, reported before any work starts. The message is
 * one line naming where the value came from (file and line, or {@code --set}), the key path,
 * the value and what is allowed.
 */
public final class ConfigException extends RuntimeException {
    private final String key;
    private final Object value;
    private final String allowed;

    public ConfigException(String key, Object value, String allowed) {
        this(null, key, value, allowed);
    }

    private ConfigException(String source, String key, Object value, String allowed) {
        super(format(source, key, value, allowed));
        this.key = key;
        this.value = value;
        this.allowed = allowed;
    }

    /** A free-form problem (malformed file, bad {@code --set} syntax). */
    public static ConfigException general(String source, String message) {
        return new ConfigException(source, null, null, message);
    }

    private static String format(String source, String key, Object value, String allowed) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (key == null) {
            return sb.append(allowed).toString();
        }
        sb.append("key '").append(key).append("'");
        if (value != null) {
            sb.append(": value ").append(quote(value));
        }
        return sb.append(" is not allowed; allowed: ").append(allowed).toString();
    }

    private static String quote(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }

    /** The same problem with the key placed under {@code prefix} and its source named. */
    public ConfigException located(String source, String prefix) {
        String full = key == null ? null : prefix == null || prefix.isEmpty() ? key : prefix + "." + key;
        return new ConfigException(source, full, value, allowed);
    }

    /** The dotted key path, or null for a problem with no single key. */
    public String key() {
        return key;
    }

    /** The offending value as it was given, or null. */
    public Object value() {
        return value;
    }

    public String allowed() {
        return allowed;
    }
}
