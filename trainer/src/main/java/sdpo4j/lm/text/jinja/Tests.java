package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Values.Callable;
import sdpo4j.lm.text.jinja.Values.Undefined;
import java.util.List;
import java.util.Map;

/** Jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class Tests {
    private Tests() {}

    /** Python's str.isupper / str.islower: some cased character, and none of the other case. */
    static boolean cased(String s, boolean upper) {
        return s.codePoints().anyMatch(cp -> Character.isUpperCase(cp) || Character.isLowerCase(cp))
                && s.codePoints().noneMatch(cp -> upper ? Character.isLowerCase(cp) : Character.isUpperCase(cp));
    }

    /** Every test {@link #apply} knows; a template naming another is refused when parsed, as Jinja2 does. */
    static final java.util.Set<String> NAMES = java.util.Set.of("defined", "undefined", "none", "boolean", "true", "false",
            "integer", "float", "number", "string", "mapping", "iterable", "sequence", "callable", "odd", "even",
            "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">",
            "ge", ">=", "in", "sameas", "lower", "upper");

    static boolean apply(String name, Object v, List<Object> args) {
        Object arg = args.isEmpty() ? null : args.get(0);
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "number" -> Py.isNumber(v);
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined;
            case "sequence" -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Undefined;
            case "callable" -> v instanceof Callable;
            case "odd" -> Py.eq(Py.binary("%", v, 2L), 1L);
            case "even" -> Py.eq(Py.binary("%", v, 2L), 0L);
            case "divisibleby" -> Py.eq(Py.binary("%", v, arg), 0L);
            case "eq", "equalto", "==" -> Py.eq(v, arg);
            case "ne", "!=" -> !Py.eq(v, arg);
            case "lt", "lessthan", "<" -> Py.compare(v, arg, "<") < 0;
            case "le", "<=" -> Py.compare(v, arg, "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, arg, ">") > 0;
            case "ge", ">=" -> Py.compare(v, arg, ">=") >= 0;
            case "in" -> Py.contains(arg, v);
            case "sameas" -> v == arg || (v != null && (v instanceof Boolean || v instanceof Long) && v.equals(arg));
            case "lower", "upper" -> cased(Py.str(v), name.equals("upper"));
            default -> throw new TemplateError("No test named '" + name + "'.");
        };
    }
}
