package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Values.Callable;
import sdpo4j.lm.text.jinja.Values.Loop;
import sdpo4j.lm.text.jinja.Values.Namespace;
import sdpo4j.lm.text.jinja.Values.Tuple;
import sdpo4j.lm.text.jinja.Values.Undefined;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's semantics for template values. Values are Java objects: None is null, bool Boolean,
 * int Long, float Double, str String, list List, tuple {@link Tuple}, dict an insertion-ordered Map.
 */
final class Py {
    private Py() {}

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        } else if (v instanceof Boolean) {
            return "bool";
        } else if (v instanceof Long) {
            return "int";
        } else if (v instanceof Double) {
            return "float";
        } else if (v instanceof String) {
            return "str";
        } else if (v instanceof Tuple) {
            return "tuple";
        } else if (v instanceof List) {
            return "list";
        } else if (v instanceof Map) {
            return "dict";
        } else if (v instanceof Undefined) {
            return "Undefined";
        } else if (v instanceof Namespace) {
            return "Namespace";
        } else if (v instanceof Loop) {
            return "LoopContext";
        }
        return "function";
    }

    static boolean truthy(Object v) {
        if (v == null || v instanceof Undefined) {
            return false;
        } else if (v instanceof Boolean b) {
            return b;
        } else if (v instanceof Long l) {
            return l != 0;
        } else if (v instanceof Double d) {
            return d != 0.0;
        } else if (v instanceof String s) {
            return !s.isEmpty();
        } else if (v instanceof List<?> l) {
            return !l.isEmpty();
        } else if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Python's {@code str(v)}; Undefined renders as nothing. */
    static String str(Object v) {
        if (v instanceof String s) {
            return s;
        } else if (v instanceof Undefined) {
            return "";
        }
        return repr(v);
    }

    static String repr(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof Boolean b) {
            return b ? "True" : "False";
        } else if (v instanceof Long l) {
            return l.toString();
        } else if (v instanceof Double d) {
            return floatRepr(d);
        } else if (v instanceof String s) {
            return stringRepr(s);
        } else if (v instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(repr(t.get(i)));
            }
            return sb.append(t.size() == 1 ? ",)" : ")").toString();
        } else if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(repr(l.get(i)));
            }
            return sb.append(']').toString();
        } else if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        } else if (v instanceof Undefined) {
            return "Undefined";
        } else if (v instanceof Namespace n) {
            return "<Namespace " + repr(n.attributes) + ">";
        }
        throw new TemplateError("cannot render a " + typeName(v) + " object faithfully");
    }

    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (cp == quote) {
                        sb.append('\\').appendCodePoint(cp);
                    } else if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else if (!printable(cp)) {
                        sb.append(cp <= 0xff ? String.format("\\x%02x", cp)
                                : cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append(quote).toString();
    }

    /** Python's str.isprintable for one character: not a control, format, separator (but space) or unassigned. */
    private static boolean printable(int cp) {
        if (cp == ' ') {
            return true;
        }
        int t = Character.getType(cp);
        return t != Character.CONTROL && t != Character.FORMAT && t != Character.SURROGATE && t != Character.PRIVATE_USE
                && t != Character.UNASSIGNED && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR
                && t != Character.SPACE_SEPARATOR;
    }

    /** Python's float repr: the shortest decimal that reads back to the same double. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        } else if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        } else if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) {
                shortest = r;
                break;
            }
        }
        BigDecimal stripped = shortest.stripTrailingZeros();
        String digits = stripped.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - stripped.scale(); // of the first digit
        String sign = d < 0 ? "-" : "";
        if (exponent >= 16 || exponent < -4) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = stripped.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
    }

    static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static boolean eq(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumber(a) && isNumber(b)) {
            return isIntegral(a) && isIntegral(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if ((a instanceof Tuple) != (b instanceof Tuple) || la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!eq(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !eq(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static int compare(Object a, Object b, String op) {
        if (isNumber(a) && isNumber(b)) {
            return isIntegral(a) && isIntegral(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) {
            int[] x = PyStr.codePoints(sa);
            int[] y = PyStr.codePoints(sb);
            return java.util.Arrays.compare(x, y);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof Tuple) == (b instanceof Tuple)) {
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                if (!eq(la.get(i), lb.get(i))) {
                    return compare(la.get(i), lb.get(i), op);
                }
            }
            return Integer.compare(la.size(), lb.size());
        }
        undefinedCheck(a);
        undefinedCheck(b);
        throw new TemplateError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    static void undefinedCheck(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
    }

    /** Python's iter(): a list's items, a string's characters, a dict's keys; Undefined is empty. */
    static List<Object> iterate(Object v) {
        if (v instanceof Undefined) {
            return new ArrayList<>();
        } else if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        } else if (v instanceof Map<?, ?> m) {
            return new ArrayList<>(m.keySet());
        } else if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        throw new TemplateError("'" + typeName(v) + "' object is not iterable");
    }

    static long len(Object v) {
        if (v instanceof String s) {
            return PyStr.length(s);
        } else if (v instanceof List<?> l) {
            return l.size();
        } else if (v instanceof Map<?, ?> m) {
            return m.size();
        } else if (v instanceof Undefined) {
            return 0;
        }
        throw new TemplateError("object of type '" + typeName(v) + "' has no len()");
    }

    static boolean contains(Object container, Object item) {
        if (container instanceof String s) {
            if (!(item instanceof String i)) {
                undefinedCheck(item);
                throw new TemplateError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            return s.contains(i);
        } else if (container instanceof Map<?, ?> m) {
            return m.containsKey(item);
        } else if (container instanceof List<?> l) {
            for (Object x : l) {
                if (eq(x, item)) {
                    return true;
                }
            }
            return false;
        } else if (container instanceof Undefined) {
            return false;
        }
        throw new TemplateError("argument of type '" + typeName(container) + "' is not iterable");
    }

    static Object binary(String op, Object a, Object b) {
        if (op.equals("~")) {
            return str(a) + str(b);
        }
        undefinedCheck(a);
        undefinedCheck(b);
        switch (op) {
            case "+" -> {
                if (isNumber(a) && isNumber(b)) {
                    // Exact: Python's ints do not wrap, so an overflow is an error rather than a wrong number.
                    return isIntegral(a) && isIntegral(b) ? (Object) Math.addExact(toLong(a), toLong(b)) : (Object) (toDouble(a) + toDouble(b));
                } else if (a instanceof String x && b instanceof String y) {
                    return x + y;
                } else if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple) == (b instanceof Tuple)) {
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return a instanceof Tuple ? new Tuple(out) : out;
                } else if (a instanceof String) {
                    throw new TemplateError("can only concatenate str (not \"" + typeName(b) + "\") to str");
                } else if (a instanceof List && !(a instanceof Tuple)) {
                    throw new TemplateError("can only concatenate list (not \"" + typeName(b) + "\") to list");
                }
            }
            case "-" -> {
                if (isNumber(a) && isNumber(b)) {
                    return isIntegral(a) && isIntegral(b) ? (Object) Math.subtractExact(toLong(a), toLong(b)) : (Object) (toDouble(a) - toDouble(b));
                }
            }
            case "*" -> {
                if (isNumber(a) && isNumber(b)) {
                    return isIntegral(a) && isIntegral(b) ? (Object) Math.multiplyExact(toLong(a), toLong(b)) : (Object) (toDouble(a) * toDouble(b));
                } else if (isIntegral(b) && (a instanceof String || a instanceof List)) {
                    return repeat(a, toLong(b));
                } else if (isIntegral(a) && (b instanceof String || b instanceof List)) {
                    return repeat(b, toLong(a));
                }
            }
            case "/" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (toDouble(b) == 0) {
                        throw new TemplateError("division by zero");
                    }
                    return toDouble(a) / toDouble(b);
                }
            }
            case "//", "%" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (toDouble(b) == 0) {
                        throw new TemplateError(op.equals("%") ? "modulo by zero" : "integer division or modulo by zero");
                    }
                    if (isIntegral(a) && isIntegral(b)) {
                        long x = toLong(a);
                        long y = toLong(b);
                        return op.equals("//") ? Math.floorDiv(x, y) : Math.floorMod(x, y);
                    }
                    return floatDivMod(toDouble(a), toDouble(b), op.equals("//"));
                }
                if (op.equals("%") && a instanceof String) {
                    throw new TemplateError("printf-style '%' string formatting is not supported");
                }
            }
            case "**" -> {
                if (isNumber(a) && isNumber(b)) {
                    if (isIntegral(a) && isIntegral(b) && toLong(b) >= 0) {
                        long r = 1;
                        for (long i = 0; i < toLong(b); i++) {
                            r = Math.multiplyExact(r, toLong(a));
                        }
                        return r;
                    }
                    return Math.pow(toDouble(a), toDouble(b));
                }
            }
            default -> throw new TemplateError("unknown operator " + op);
        }
        throw new TemplateError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    /** CPython's float floor division and modulo (1 // 0.1 is 9.0 there, not floor(1 / 0.1) = 10.0). */
    private static double floatDivMod(double x, double y, boolean div) {
        double mod = x % y;
        double d = (x - mod) / y;
        if (mod != 0) {
            if ((y < 0) != (mod < 0)) {
                mod += y;
                d -= 1.0;
            }
        } else {
            mod = Math.copySign(0.0, y);
        }
        if (!div) {
            return mod;
        }
        if (d != 0) {
            double floor = Math.floor(d);
            return d - floor > 0.5 ? floor + 1.0 : floor;
        }
        return Math.copySign(0.0, x / y);
    }

    private static Object repeat(Object seq, long n) {
        if (seq instanceof String s) {
            return n <= 0 ? "" : s.repeat((int) n);
        }
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.addAll((List<?>) seq);
        }
        return seq instanceof Tuple ? new Tuple(out) : out;
    }

    /** {@code obj.name} as Jinja2 resolves it: the Python attribute (a method), then the item. */
    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        } else if (obj instanceof Namespace ns) {
            return ns.attributes.containsKey(name) ? ns.attributes.get(name)
                    : new Undefined("'Namespace object' has no attribute '" + name + "'");
        } else if (obj instanceof Loop loop) {
            return loop.attribute(name);
        }
        Callable method = Methods.bind(obj, name);
        if (method != null) {
            return method;
        }
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        return new Undefined("'" + describe(obj) + "' has no attribute '" + name + "'");
    }

    /** {@code obj[key]} as Jinja2 resolves it: the item, then (for a string key) the attribute. */
    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (obj instanceof Map<?, ?> m) {
            if (m.containsKey(key)) {
                return m.get(key);
            }
        } else if ((obj instanceof List || obj instanceof String) && isIntegral(key)) {
            long n = len(obj);
            long i = toLong(key);
            if (i < 0) {
                i += n;
            }
            if (i >= 0 && i < n) {
                if (obj instanceof String s) {
                    int at = s.offsetByCodePoints(0, (int) i);
                    return new String(Character.toChars(s.codePointAt(at)));
                }
                return ((List<?>) obj).get((int) i);
            }
            return new Undefined("'" + describe(obj) + "' has no element " + key);
        }
        if (key instanceof String name) {
            return getattr(obj, name);
        }
        return new Undefined("'" + describe(obj) + "' has no element " + repr(key));
    }

    private static String describe(Object obj) {
        return obj == null ? "None" : typeName(obj) + " object";
    }

    static Object slice(Object obj, Object start, Object stop, Object step) {
        undefinedCheck(obj);
        if (!(obj instanceof String || obj instanceof List)) {
            throw new TemplateError("'" + typeName(obj) + "' object is not subscriptable");
        }
        int n = (int) len(obj);
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new TemplateError("slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(toLong(start), n, 0, n);
            hi = stop == null ? n : clamp(toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp(toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp(toLong(stop), n, -1, n - 1);
        }
        List<Integer> picked = new ArrayList<>();
        for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
            picked.add((int) i);
        }
        if (obj instanceof String s) {
            int[] cps = PyStr.codePoints(s);
            StringBuilder sb = new StringBuilder();
            for (int i : picked) {
                sb.appendCodePoint(cps[i]);
            }
            return sb.toString();
        } else if (obj instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i : picked) {
                out.add(l.get(i));
            }
            return obj instanceof Tuple ? new Tuple(out) : out;
        }
        throw new TemplateError("'" + typeName(obj) + "' object is not subscriptable");
    }

    private static long clamp(long i, int n, long min, long max) {
        if (i < 0) {
            i += n;
        }
        return Math.max(min, Math.min(max, i));
    }
}
