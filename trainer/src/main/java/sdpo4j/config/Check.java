package sdpo4j.config;

import java.util.Collection;

/**
 * Range checks for config records' compact constructors. Keys are the record's own YAML keys
 * (kebab-case); the loader places them under the record's path in the file.
 */
public final class Check {
    private Check() {}

    public static void inRange(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new ConfigException(key, value, "a number in [" + fmt(min) + ", " + fmt(max) + "]");
        }
    }

    public static void positive(String key, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ConfigException(key, value, "a finite number > 0");
        }
    }

    public static void nonNegative(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new ConfigException(key, value, "a finite number >= 0");
        }
    }

    public static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new ConfigException(key, value, "an integer >= " + min);
        }
    }

    public static void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(key, value, "an integer in [" + min + ", " + max + "]");
        }
    }

    public static void present(String key, Object value, String allowed) {
        if (value == null) {
            throw new ConfigException(key, "null", allowed);
        }
    }

    public static <T> void nonEmpty(String key, Collection<T> values) {
        if (values == null || values.isEmpty()) {
            throw new ConfigException(key, values, "a non-empty list");
        }
    }

    public static void oneOf(String key, Object value, Collection<?> allowed) {
        if (!allowed.contains(value)) {
            throw new ConfigException(key, value, "one of " + allowed + Suggest.didYouMean(String.valueOf(value), names(allowed)));
        }
    }

    private static java.util.List<String> names(Collection<?> values) {
        return values.stream().map(String::valueOf).toList();
    }

    private static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
    }
}
