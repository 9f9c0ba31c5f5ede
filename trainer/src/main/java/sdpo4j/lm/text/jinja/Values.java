package sdpo4j.lm.text.jinja;

import java.util.AbstractList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The template-side value kinds that have no plain Java counterpart. */
final class Values {
    private Values() {}

    /**
     * Jinja2's default Undefined: renders as nothing, is false, iterates as empty; using it in
     * arithmetic, as an object or a callable is an error carrying {@code hint}.
     */
    record Undefined(String hint) {
        TemplateError error() {
            return new TemplateError(hint);
        }
    }

    /** A Python tuple: rendered with parentheses, compared unequal to a list. */
    static final class Tuple extends AbstractList<Object> {
        private final List<Object> items;

        Tuple(List<Object> items) {
            this.items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
        }

        @Override
        public Object get(int index) {
            return items.get(index);
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    /** {@code namespace(...)}: the one object a template may assign attributes to from inside a loop. */
    static final class Namespace {
        final Map<String, Object> attributes = new LinkedHashMap<>();
    }

    /** A function the template can call: globals, bound methods, macros. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** The {@code loop} variable of a for loop. */
    static final class Loop {
        final List<Object> items;
        int index0;

        Loop(List<Object> items) {
            this.items = items;
        }

        Object attribute(String name) {
            int n = items.size();
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (n - index0);
                case "revindex0" -> (long) (n - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == n - 1;
                case "length" -> (long) n;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
                case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
                case "cycle" -> (Callable) (args, kw) -> {
                    if (args.isEmpty()) {
                        throw new TemplateError("no items for cycling given");
                    }
                    return args.get(index0 % args.size());
                };
                default -> new Undefined("'LoopContext object' has no attribute '" + name + "'");
            };
        }
    }
}
