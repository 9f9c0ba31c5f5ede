package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Values.Callable;
import sdpo4j.lm.text.jinja.Values.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Python str, dict and list methods templates call ({@code content.startswith(...)},
 * {@code message.get('k', d)}). Mutating methods ({@code append}, {@code update}) are refused,
 * as in the immutable sandbox transformers renders in.
 */
final class Methods {
    private Methods() {}

    private static final Set<String> MUTATING = Set.of("append", "extend", "insert", "pop", "remove", "clear", "sort",
            "reverse", "update", "setdefault", "popitem");

    /** The bound method {@code obj.name}, or null when the value has no such method. */
    static Callable bind(Object obj, String name) {
        if (obj instanceof String s) {
            return STR_METHODS.contains(name) ? positionalOnly(name, args -> str(s, name, args)) : null;
        } else if (obj instanceof Map<?, ?> m) {
            if (MUTATING.contains(name)) {
                return refused(name);
            }
            return DICT_METHODS.contains(name) ? positionalOnly(name, args -> dict(m, name, args)) : null;
        } else if (obj instanceof List<?> l) {
            if (MUTATING.contains(name) && !(obj instanceof Tuple)) {
                return refused(name);
            }
            return name.equals("index") || name.equals("count") ? positionalOnly(name, args -> list(l, name, args)) : null;
        }
        return null;
    }

    /** Keyword arguments ({@code split(maxsplit=1)}) are refused rather than ignored. */
    private static Callable positionalOnly(String name, java.util.function.Function<List<Object>, Object> method) {
        return (args, kw) -> {
            if (!kw.isEmpty()) {
                throw new TemplateError("keyword arguments to " + name + "() are not supported: " + kw.keySet());
            }
            return method.apply(args);
        };
    }

    private static Callable refused(String name) {
        return (args, kw) -> {
            throw new TemplateError("access to the mutating method '" + name + "' is unsafe in a chat template");
        };
    }

    private static final Set<String> STR_METHODS = Set.of("startswith", "endswith", "strip", "lstrip", "rstrip", "upper",
            "lower", "title", "capitalize", "split", "rsplit", "splitlines", "replace", "find", "rfind", "index", "count",
            "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "swapcase");

    private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values", "copy");

    private static Object arg(List<Object> args, int i) {
        return i < args.size() ? args.get(i) : null;
    }

    private static String strArg(List<Object> args, int i, String method) {
        Object a = arg(args, i);
        if (a == null) {
            return null;
        }
        if (!(a instanceof String s)) {
            Py.undefinedCheck(a);
            throw new TemplateError(method + " arg must be None or str, not " + Py.typeName(a));
        }
        return s;
    }

    private static long maxSplit(List<Object> args) {
        Object a = arg(args, 1);
        return a == null ? -1 : Py.toLong(a);
    }

    private static Object str(String s, String name, List<Object> args) {
        switch (name) {
            case "startswith", "endswith" -> {
                Object p = arg(args, 0);
                List<Object> options = p instanceof Tuple t ? t : List.of(p == null ? "" : p);
                String target = s;
                if (args.size() > 1) {
                    target = (String) Py.slice(s, args.get(1), arg(args, 2), null);
                }
                for (Object o : options) {
                    if (!(o instanceof String prefix)) {
                        throw new TemplateError(name + " first arg must be str or a tuple of str, not " + Py.typeName(o));
                    }
                    if (name.equals("startswith") ? target.startsWith(prefix) : target.endsWith(prefix)) {
                        return true;
                    }
                }
                return false;
            }
            case "strip" -> {
                return PyStr.strip(s, strArg(args, 0, name));
            }
            case "lstrip" -> {
                return PyStr.lstrip(s, strArg(args, 0, name));
            }
            case "rstrip" -> {
                return PyStr.rstrip(s, strArg(args, 0, name));
            }
            case "upper" -> {
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return s.toLowerCase(Locale.ROOT);
            }
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isUpperCase(cp) ? Character.toLowerCase(cp)
                        : Character.isLowerCase(cp) ? Character.toUpperCase(cp) : cp));
                return sb.toString();
            }
            case "title" -> {
                return PyStr.title(s);
            }
            case "capitalize" -> {
                return PyStr.capitalize(s);
            }
            case "split" -> {
                return PyStr.split(s, strArg(args, 0, name), maxSplit(args));
            }
            case "rsplit" -> {
                return PyStr.rsplit(s, strArg(args, 0, name), maxSplit(args));
            }
            case "splitlines" -> {
                return PyStr.splitlines(s);
            }
            case "replace" -> {
                String old = strArg(args, 0, name);
                String rep = strArg(args, 1, name);
                long count = args.size() > 2 ? Py.toLong(args.get(2)) : -1;
                if (old == null || rep == null) {
                    throw new TemplateError("replace() takes two str arguments");
                }
                return replace(s, old, rep, count);
            }
            case "find", "rfind", "index" -> {
                String sub = strArg(args, 0, name);
                int at = name.equals("rfind") ? s.lastIndexOf(sub) : s.indexOf(sub);
                if (at < 0 && name.equals("index")) {
                    throw new TemplateError("substring not found");
                }
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = strArg(args, 0, name);
                if (sub.isEmpty()) {
                    return (long) PyStr.length(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                return n;
            }
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object o : Py.iterate(arg(args, 0))) {
                    if (!(o instanceof String part)) {
                        throw new TemplateError("sequence item: expected str instance, " + Py.typeName(o) + " found");
                    }
                    sb.append(first ? "" : s).append(part);
                    first = false;
                }
                return sb.toString();
            }
            case "isdigit" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            }
            case "isalpha" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            }
            case "isalnum" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            }
            case "isspace" -> {
                return !s.isEmpty() && s.codePoints().allMatch(PyStr::isSpace);
            }
            case "isupper", "islower" -> {
                return Tests.cased(s, name.equals("isupper"));
            }
            default -> throw new TemplateError("'str' object has no attribute '" + name + "'");
        }
    }

    static String replace(String s, String old, String rep, long count) {
        if (old.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            int[] cps = PyStr.codePoints(s);
            long done = 0;
            for (int i = 0; i <= cps.length; i++) {
                if (count < 0 || done < count) {
                    sb.append(rep);
                    done++;
                }
                if (i < cps.length) {
                    sb.appendCodePoint(cps[i]);
                }
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        long done = 0;
        while (count < 0 || done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(rep);
            from = at + old.length();
            done++;
        }
        return sb.append(s.substring(from)).toString();
    }

    private static Object dict(Map<?, ?> m, String name, List<Object> args) {
        switch (name) {
            case "get" -> {
                Object key = arg(args, 0);
                return m.containsKey(key) ? m.get(key) : arg(args, 1);
            }
            case "items" -> {
                List<Object> out = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.add(new Tuple(java.util.Arrays.asList(e.getKey(), e.getValue())));
                }
                return out;
            }
            case "keys" -> {
                return new ArrayList<Object>(m.keySet());
            }
            case "values" -> {
                return new ArrayList<Object>(m.values());
            }
            case "copy" -> {
                return new java.util.LinkedHashMap<Object, Object>(m);
            }
            default -> throw new TemplateError("'dict' object has no attribute '" + name + "'");
        }
    }

    private static Object list(List<?> l, String name, List<Object> args) {
        Object x = arg(args, 0);
        if (name.equals("count")) {
            return l.stream().filter(o -> Py.eq(o, x)).count();
        }
        for (int i = 0; i < l.size(); i++) {
            if (Py.eq(l.get(i), x)) {
                return (long) i;
            }
        }
        throw new TemplateError(Py.repr(x) + " is not in list");
    }
}
