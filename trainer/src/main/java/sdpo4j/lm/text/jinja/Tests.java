package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Values.Callable;
import sdpo4j.lm.text.jinja.Values.Undefined;
import java.util.List;
import java.util.Map;

/** Jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class Tests {
    private Tests() {}

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
            case "odd" -> Py.toLong(v) % 2 != 0;
            case "even" -> Py.toLong(v) % 2 == 0;
            case "divisibleby" -> Py.toLong(v) % Py.toLong(arg) == 0;
            case "eq", "equalto", "==" -> Py.eq(v, arg);
            case "ne", "!=" -> !Py.eq(v, arg);
            case "lt", "lessthan", "<" -> Py.compare(v, arg, "<") < 0;
            case "le", "<=" -> Py.compare(v, arg, "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, arg, ">") > 0;
            case "ge", ">=" -> Py.compare(v, arg, ">=") >= 0;
            case "in" -> Py.contains(arg, v);
            case "sameas" -> v == arg || (v != null && (v instanceof Boolean || v instanceof Long) && v.equals(arg));
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            default -> throw new TemplateError("No test named '" + name + "'.");
        };
    }
}
