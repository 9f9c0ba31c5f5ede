package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Values.Tuple;
import sdpo4j.lm.text.jinja.Values.Undefined;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jinja2's built-in filters that chat templates use, plus transformers' {@code tojson}. */
final class Filters {
    private Filters() {}

    /** Positional arguments first, then keyword arguments by name, as a Python signature binds them. */
    private record Bound(List<Object> args, Map<String, Object> kwargs, java.util.Set<String> used) {
        Object get(int i, String name, Object dflt) {
            used.add(name);
            if (kwargs.containsKey(name)) {
                return kwargs.get(name);
            }
            return i < args.size() ? args.get(i) : dflt;
        }
    }

    static Object apply(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        Bound a = new Bound(args, kwargs, new java.util.HashSet<>());
        Object result = filter(name, v, args, kwargs, a);
        for (String k : kwargs.keySet()) {
            // An argument we would ignore could change Jinja2's output: refuse it instead.
            if (!a.used().contains(k)) {
                throw new TemplateError("filter " + name + " does not take the argument '" + k + "' here");
            }
        }
        return result;
    }

    /** Every filter {@link #apply} knows; a template naming another is refused when parsed, as Jinja2 does. */
    static final java.util.Set<String> NAMES = java.util.Set.of("tojson", "trim", "upper", "lower", "capitalize", "title",
            "replace", "length", "count", "string", "safe", "e", "escape", "int", "float", "abs", "default", "d", "first",
            "last", "list", "reverse", "join", "items", "dictsort", "sort", "unique", "min", "max", "sum", "indent", "attr",
            "map", "select", "reject", "selectattr", "rejectattr");

    private static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs, Bound a) {
        switch (name) {
            case "tojson" -> {
                Object separators = a.get(2, "separators", null);
                return new PyJson(Py.truthy(a.get(0, "ensure_ascii", false)), a.get(1, "indent", null),
                        separators == null ? null : (List<?>) separators, Py.truthy(a.get(3, "sort_keys", false))).dumps(v);
            }
            case "trim" -> {
                Object chars = a.get(0, "chars", null);
                return PyStr.strip(Py.str(v), chars == null ? null : Py.str(chars));
            }
            case "upper" -> {
                return Py.str(v).toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return Py.str(v).toLowerCase(Locale.ROOT);
            }
            case "capitalize" -> {
                return PyStr.capitalize(Py.str(v));
            }
            case "title" -> {
                return title(Py.str(v));
            }
            case "replace" -> {
                Object count = a.get(2, "count", null);
                return Methods.replace(Py.str(v), Py.str(a.get(0, "old", "")), Py.str(a.get(1, "new", "")),
                        count == null ? -1 : Py.toLong(count));
            }
            case "length", "count" -> {
                return Py.len(v);
            }
            case "string" -> {
                return Py.str(v);
            }
            case "safe" -> {
                return v;
            }
            case "e", "escape" -> {
                return escape(Py.str(v));
            }
            case "int" -> {
                Py.undefinedCheck(v);
                return toInt(v, a.get(0, "default", 0L));
            }
            case "float" -> {
                Py.undefinedCheck(v);
                return toFloat(v, a.get(0, "default", 0.0));
            }
            case "abs" -> {
                Py.undefinedCheck(v);
                return v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(v));
            }
            case "default", "d" -> {
                boolean bool = Py.truthy(a.get(1, "boolean", false));
                boolean missing = v instanceof Undefined || (bool && !Py.truthy(v));
                return missing ? a.get(0, "default_value", "") : v;
            }
            case "first" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "list" -> {
                return Py.iterate(v);
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                List<Object> items = Py.iterate(v);
                java.util.Collections.reverse(items);
                return items;
            }
            case "join" -> {
                Object attribute = a.get(1, "attribute", null);
                StringBuilder sb = new StringBuilder();
                String sep = Py.str(a.get(0, "d", ""));
                boolean first = true;
                for (Object o : Py.iterate(v)) {
                    sb.append(first ? "" : sep).append(Py.str(attribute == null ? o : attribute(o, attribute)));
                    first = false;
                }
                return sb.toString();
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    return new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateError("Can only get item pairs from a mapping.");
                }
                List<Object> out = new ArrayList<>();
                m.forEach((k, x) -> out.add(new Tuple(java.util.Arrays.asList(k, x))));
                return out;
            }
            case "dictsort" -> {
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateError("dictsort requires a mapping");
                }
                boolean byValue = "value".equals(a.get(1, "by", "key"));
                boolean caseSensitive = Py.truthy(a.get(0, "case_sensitive", false));
                List<Object> out = new ArrayList<>();
                m.forEach((k, x) -> out.add(new Tuple(java.util.Arrays.asList(k, x))));
                out.sort((p, q) -> Py.compare(sortKey(((Tuple) p).get(byValue ? 1 : 0), caseSensitive),
                        sortKey(((Tuple) q).get(byValue ? 1 : 0), caseSensitive), "<"));
                if (Py.truthy(a.get(2, "reverse", false))) {
                    java.util.Collections.reverse(out);
                }
                return out;
            }
            case "sort" -> {
                boolean caseSensitive = Py.truthy(a.get(1, "case_sensitive", false));
                Object attribute = a.get(2, "attribute", null);
                List<Object> items = Py.iterate(v);
                Comparator<Object> cmp = (p, q) -> Py.compare(sortKey(attribute == null ? p : attribute(p, attribute), caseSensitive),
                        sortKey(attribute == null ? q : attribute(q, attribute), caseSensitive), "<");
                items.sort(Py.truthy(a.get(0, "reverse", false)) ? cmp.reversed() : cmp);
                return items;
            }
            case "unique" -> {
                boolean caseSensitive = Py.truthy(a.get(0, "case_sensitive", false));
                List<Object> out = new ArrayList<>();
                List<Object> seen = new ArrayList<>();
                for (Object o : Py.iterate(v)) {
                    Object k = sortKey(o, caseSensitive);
                    if (seen.stream().noneMatch(s -> Py.eq(s, k))) {
                        seen.add(k);
                        out.add(o);
                    }
                }
                return out;
            }
            case "min", "max" -> {
                boolean caseSensitive = Py.truthy(a.get(0, "case_sensitive", false));
                List<Object> items = Py.iterate(v);
                if (items.isEmpty()) {
                    return new Undefined("No aggregated item, sequence was empty.");
                }
                Object best = items.get(0);
                for (Object o : items) {
                    int c = Py.compare(sortKey(o, caseSensitive), sortKey(best, caseSensitive), "<");
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = o;
                    }
                }
                return best;
            }
            case "sum" -> {
                Object attribute = a.get(0, "attribute", null);
                Object total = a.get(1, "start", 0L);
                for (Object o : Py.iterate(v)) {
                    total = Py.binary("+", total, attribute == null ? o : attribute(o, attribute));
                }
                return total;
            }
            case "indent" -> {
                if (!(v instanceof String)) {
                    Py.undefinedCheck(v);
                    throw new TemplateError("indent takes a string, not " + Py.typeName(v));
                }
                return indent((String) v, a.get(0, "width", 4L), Py.truthy(a.get(1, "first", false)),
                        Py.truthy(a.get(2, "blank", false)));
            }
            case "attr" -> {
                return Py.getattr(v, Py.str(a.get(0, "name", "")));
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                if (!Py.truthy(v)) {
                    return out;
                }
                a.used().addAll(List.of("attribute", "default"));
                if (kwargs.containsKey("attribute")) {
                    Object attribute = kwargs.get("attribute");
                    Object dflt = kwargs.get("default");
                    for (Object o : Py.iterate(v)) {
                        Object x = attribute(o, attribute);
                        out.add(x instanceof Undefined && kwargs.containsKey("default") ? dflt : x);
                    }
                    return out;
                }
                if (args.isEmpty()) {
                    throw new TemplateError("map requires a filter argument");
                }
                String filter = Py.str(args.get(0));
                for (Object o : Py.iterate(v)) {
                    out.add(apply(filter, o, args.subList(1, args.size()), Map.of()));
                }
                return out;
            }
            case "select", "reject", "selectattr", "rejectattr" -> {
                boolean byAttribute = name.endsWith("attr");
                boolean keep = name.startsWith("select");
                Object attribute = byAttribute ? args.get(0) : null;
                int testAt = byAttribute ? 1 : 0;
                List<Object> out = new ArrayList<>();
                if (!Py.truthy(v)) {
                    return out;
                }
                for (Object o : Py.iterate(v)) {
                    Object x = byAttribute ? attribute(o, attribute) : o;
                    boolean pass = args.size() > testAt
                            ? Tests.apply(Py.str(args.get(testAt)), x, args.subList(testAt + 1, args.size()))
                            : Py.truthy(x);
                    if (pass == keep) {
                        out.add(o);
                    }
                }
                return out;
            }
            default -> throw new TemplateError("No filter named '" + name + "' found.");
        }
    }

    /** Jinja2's attribute lookup for filters: dotted paths, integer parts index. */
    private static Object attribute(Object o, Object path) {
        if (!(path instanceof String s)) {
            return Py.getitem(o, path);
        }
        Object x = o;
        for (String part : s.split("\\.", -1)) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            x = Py.getitem(x, key);
        }
        return x;
    }

    private static Object sortKey(Object o, boolean caseSensitive) {
        return !caseSensitive && o instanceof String s ? s.toLowerCase(Locale.ROOT) : o;
    }

    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    /** Jinja2's title filter: words start after whitespace, dashes and opening brackets. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        List<String> parts = new ArrayList<>();
        while (m.find()) {
            parts.add(s.substring(last, m.start()));
            parts.add(m.group());
            last = m.end();
        }
        parts.add(s.substring(last));
        for (String item : parts) {
            if (!item.isEmpty()) {
                int first = item.codePointAt(0);
                sb.append(new String(Character.toChars(first)).toUpperCase(Locale.ROOT))
                        .append(item.substring(Character.charCount(first)).toLowerCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }

    private static Object toInt(Object v, Object dflt) {
        if (v instanceof Long || v instanceof Boolean) {
            return Py.toLong(v);
        } else if (v instanceof Double d) {
            return (long) d.doubleValue();
        } else if (v instanceof String s) {
            String t = PyStr.strip(s, null).replace("_", "");
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    private static Object toFloat(Object v, Object dflt) {
        if (Py.isNumber(v)) {
            return Py.toDouble(v);
        } else if (v instanceof String s) {
            try {
                return Double.parseDouble(PyStr.strip(s, null));
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }

    private static String indent(String s, Object width, boolean first, boolean blank) {
        String indention = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
        s += "\n";
        List<Object> lines = PyStr.splitlines(s);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                rv.append(i > 0 ? "\n" + indention : "").append(lines.get(i));
            }
        } else {
            rv.append(lines.isEmpty() ? "" : (String) lines.get(0));
            if (lines.size() > 1) {
                rv.append('\n');
                for (int i = 1; i < lines.size(); i++) {
                    String line = (String) lines.get(i);
                    rv.append(i > 1 ? "\n" : "").append(line.isEmpty() ? "" : indention + line);
                }
            }
        }
        return first ? indention + rv : rv.toString();
    }
}
