package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Node.*;
import sdpo4j.lm.text.jinja.Values.Callable;
import sdpo4j.lm.text.jinja.Values.Loop;
import sdpo4j.lm.text.jinja.Values.Namespace;
import sdpo4j.lm.text.jinja.Values.Tuple;
import sdpo4j.lm.text.jinja.Values.Undefined;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A chat template parsed once and rendered as Jinja2 renders it in transformers'
 * {@code apply_chat_template} environment (trim_blocks, lstrip_blocks, loop controls,
 * {@code raise_exception}, {@code strftime_now}, json.dumps-style {@code tojson}).
 *
 * <p>It interprets the subset of Jinja2 that chat templates use; anything outside it is a
 * {@link TemplateError} naming the template line, never a different output. Values in the context
 * are plain Java: null, Boolean, Long, Double, String, List, insertion-ordered Map.
 */
public final class JinjaTemplate {
    private final List<Stmt> body;
    private final Supplier<LocalDateTime> clock;
    /** Per scope body: the names Jinja2's symbol rules make undefined on entry ({@link Scoping}). */
    private final Map<List<Stmt>, java.util.Set<String>> undefinedAtEntry;

    private JinjaTemplate(List<Stmt> body, Supplier<LocalDateTime> clock) {
        this.body = body;
        this.clock = clock;
        this.undefinedAtEntry = Scoping.undefinedAtEntry(body);
    }

    /** Parses {@code source}; a syntax error is a {@link TemplateError} with its line. */
    public static JinjaTemplate parse(String source, Supplier<LocalDateTime> clock) {
        return new JinjaTemplate(Parser.parse(source), clock);
    }

    public String render(Map<String, Object> context) {
        Scope globals = new Scope(null);
        globals.vars.put("raise_exception", (Callable) (args, kw) -> {
            throw TemplateError.raised(args.isEmpty() ? "" : Py.str(args.get(0)));
        });
        globals.vars.put("strftime_now", (Callable) (args, kw) -> Strftime.format(clock.get(), Py.str(args.get(0))));
        globals.vars.put("namespace", (Callable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> ns.attributes.put(Py.str(k), v));
                }
            }
            ns.attributes.putAll(kw);
            return ns;
        });
        globals.vars.put("range", (Callable) JinjaTemplate::range);
        globals.vars.put("dict", (Callable) (args, kw) -> new LinkedHashMap<>(kw));
        Scope rendered = new Scope(globals);
        rendered.vars.putAll(context);
        StringBuilder out = new StringBuilder();
        Run run = new Run(out);
        run.block(body, run.enter(body, rendered));
        return out.toString();
    }

    private static Object range(List<Object> args, Map<String, Object> kw) {
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = Py.toLong(args.get(0));
        } else {
            start = Py.toLong(args.get(0));
            stop = Py.toLong(args.get(1));
            if (args.size() > 2) {
                step = Py.toLong(args.get(2));
            }
        }
        if (step == 0) {
            throw new TemplateError("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** Variables of one scope: the template, one loop iteration, or one macro call. */
    private static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return s.vars.get(name);
                }
            }
            return new Undefined("'" + name + "' is undefined");
        }
    }

    private enum Flow { NORMAL, BREAK, CONTINUE }

    /** One render: the output and the line being executed, for error messages. */
    private final class Run {
        final StringBuilder out;
        int line;

        Run(StringBuilder out) {
            this.out = out;
        }

        /** A new scope for {@code body} under {@code parent}, with the names it starts without. */
        Scope enter(List<Stmt> body, Scope parent) {
            Scope s = new Scope(parent);
            for (String name : undefinedAtEntry.getOrDefault(body, java.util.Set.of())) {
                s.vars.put(name, new Undefined("'" + name + "' is undefined"));
            }
            return s;
        }

        Flow block(List<Stmt> stmts, Scope scope) {
            for (Stmt s : stmts) {
                Flow f = exec(s, scope);
                if (f != Flow.NORMAL) {
                    return f;
                }
            }
            return Flow.NORMAL;
        }

        Flow exec(Stmt stmt, Scope scope) {
            line = stmt.line();
            try {
                return execAt(stmt, scope);
            } catch (TemplateError e) {
                throw e.atLine(line);
            } catch (RuntimeException e) {
                // A value of a type the operation does not take (Python would raise a TypeError).
                throw new TemplateError("unsupported operation (" + e.getClass().getSimpleName() + "): " + e.getMessage(), line, false);
            }
        }

        private Flow execAt(Stmt stmt, Scope scope) {
            if (stmt instanceof Text t) {
                out.append(t.text());
            } else if (stmt instanceof Print p) {
                out.append(Py.str(eval(p.value(), scope)));
            } else if (stmt instanceof If i) {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(eval(i.tests().get(k), scope))) {
                        return block(i.bodies().get(k), scope);
                    }
                }
                return block(i.orElse(), scope);
            } else if (stmt instanceof For f) {
                return loop(f, scope);
            } else if (stmt instanceof Set s) {
                assign(s.target(), eval(s.value(), scope), scope);
            } else if (stmt instanceof SetBlock s) {
                scope.vars.put(s.name(), capture(s.body(), enter(s.body(), scope)));
            } else if (stmt instanceof Macro m) {
                scope.vars.put(m.name(), macro(m, scope));
            } else if (stmt instanceof Break) {
                return Flow.BREAK;
            } else if (stmt instanceof Continue) {
                return Flow.CONTINUE;
            } else if (stmt instanceof Seq s) {
                return block(s.body(), scope);
            }
            return Flow.NORMAL;
        }

        /** Renders {@code body} into a string of its own (a block set, a macro call). */
        private String capture(List<Stmt> body, Scope scope) {
            int start = out.length();
            int savedLine = line;
            block(body, scope);
            String captured = out.substring(start);
            out.setLength(start);
            line = savedLine;
            return captured;
        }

        private Flow loop(For f, Scope scope) {
            List<Object> items = Py.iterate(eval(f.iterable(), scope));
            if (f.filter() != null) {
                List<Object> kept = new ArrayList<>();
                for (Object item : items) {
                    Scope probe = new Scope(scope);
                    assign(f.target(), item, probe);
                    if (Py.truthy(eval(f.filter(), probe))) {
                        kept.add(item);
                    }
                }
                items = kept;
            }
            if (items.isEmpty()) {
                return block(f.orElse(), enter(f.orElse(), scope));
            }
            Loop loop = new Loop(items);
            for (int i = 0; i < items.size(); i++) {
                loop.index0 = i;
                Scope iteration = enter(f.body(), scope);
                iteration.vars.put("loop", loop);
                assign(f.target(), items.get(i), iteration);
                if (block(f.body(), iteration) == Flow.BREAK) {
                    break;
                }
            }
            return Flow.NORMAL;
        }

        private void assign(Target target, Object value, Scope scope) {
            if (target.attribute() != null) {
                Object ns = scope.lookup(target.names().get(0));
                if (!(ns instanceof Namespace n)) {
                    throw new TemplateError("cannot assign attribute on non-namespace object");
                }
                n.attributes.put(target.attribute(), value);
            } else if (!target.unpack()) {
                scope.vars.put(target.names().get(0), value);
            } else {
                List<Object> parts = Py.iterate(value);
                if (parts.size() != target.names().size()) {
                    throw new TemplateError((parts.size() > target.names().size() ? "too many" : "not enough")
                            + " values to unpack (expected " + target.names().size() + ", got " + parts.size() + ")");
                }
                for (int i = 0; i < parts.size(); i++) {
                    scope.vars.put(target.names().get(i), parts.get(i));
                }
            }
        }

        private Callable macro(Macro m, Scope defining) {
            return (args, kw) -> {
                if (args.size() > m.params().size()) {
                    throw new TemplateError("macro '" + m.name() + "' takes not more than " + m.params().size() + " argument(s)");
                }
                Scope call = enter(m.body(), defining);
                for (int i = 0; i < m.params().size(); i++) {
                    String p = m.params().get(i);
                    Object v;
                    if (i < args.size()) {
                        v = args.get(i);
                    } else if (kw.containsKey(p)) {
                        v = kw.get(p);
                    } else if (m.defaults().get(i) != null) {
                        v = eval(m.defaults().get(i), call);
                    } else {
                        v = new Undefined("parameter '" + p + "' was not provided");
                    }
                    call.vars.put(p, v);
                }
                for (String k : kw.keySet()) {
                    if (!m.params().contains(k)) {
                        throw new TemplateError("macro '" + m.name() + "' takes no keyword argument '" + k + "'");
                    }
                }
                return capture(m.body(), call);
            };
        }

        Object eval(Expr e, Scope scope) {
            if (e instanceof Const c) {
                return c.value();
            }
            if (e instanceof Name n) {
                return scope.lookup(n.name());
            }
            if (e instanceof ListLit l) {
                List<Object> out = new ArrayList<>();
                for (Expr x : l.items()) {
                    out.add(eval(x, scope));
                }
                return out;
            }
            if (e instanceof TupleLit t) {
                List<Object> out = new ArrayList<>();
                for (Expr x : t.items()) {
                    out.add(eval(x, scope));
                }
                return new Tuple(out);
            }
            if (e instanceof DictLit d) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    out.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                return out;
            }
            if (e instanceof GetAttr g) {
                return Py.getattr(eval(g.target(), scope), g.name());
            }
            if (e instanceof GetItem g) {
                return Py.getitem(eval(g.target(), scope), eval(g.key(), scope));
            }
            if (e instanceof Slice s) {
                Object target = eval(s.target(), scope);
                return Py.slice(target, s.start() == null ? null : eval(s.start(), scope),
                        s.stop() == null ? null : eval(s.stop(), scope), s.step() == null ? null : eval(s.step(), scope));
            }
            if (e instanceof Call c) {
                Object callee = eval(c.callee(), scope);
                if (callee instanceof Undefined u) {
                    throw u.error();
                }
                if (!(callee instanceof Callable fn)) {
                    throw new TemplateError("'" + Py.typeName(callee) + "' object is not callable");
                }
                return fn.call(positional(c.args(), scope), keywords(c.args(), scope));
            }
            if (e instanceof Filter f) {
                return Filters.apply(f.name(), eval(f.value(), scope), positional(f.args(), scope), keywords(f.args(), scope));
            }
            if (e instanceof Test t) {
                boolean r = Tests.apply(t.name(), eval(t.value(), scope), positional(t.args(), scope));
                return r != t.negated();
            }
            if (e instanceof Binary b) {
                Object left = eval(b.left(), scope);
                if (b.op().equals("and")) {
                    return Py.truthy(left) ? eval(b.right(), scope) : left;
                } else if (b.op().equals("or")) {
                    return Py.truthy(left) ? left : eval(b.right(), scope);
                }
                return Py.binary(b.op(), left, eval(b.right(), scope));
            }
            if (e instanceof Unary u) {
                Object v = eval(u.operand(), scope);
                if (u.op().equals("not")) {
                    return !Py.truthy(v);
                }
                Py.undefinedCheck(v);
                if (!Py.isNumber(v)) {
                    throw new TemplateError("bad operand type for unary " + u.op() + ": '" + Py.typeName(v) + "'");
                }
                if (u.op().equals("+")) {
                    return Py.isIntegral(v) ? (Object) Py.toLong(v) : v;
                }
                return Py.isIntegral(v) ? (Object) (-Py.toLong(v)) : (Object) (-Py.toDouble(v));
            }
            if (e instanceof Compare c) {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    if (!compare(c.ops().get(i), left, right)) {
                        return false;
                    }
                    left = right;
                }
                return true;
            }
            if (e instanceof Cond c) {
                if (Py.truthy(eval(c.test(), scope))) {
                    return eval(c.then(), scope);
                }
                return c.orElse() == null ? new Undefined("the inline if-expression evaluated to false and no else"
                        + " section was defined.") : eval(c.orElse(), scope);
            }
            throw new TemplateError("unsupported expression");
        }

        private static boolean compare(String op, Object a, Object b) {
            return switch (op) {
                case "==" -> Py.eq(a, b);
                case "!=" -> !Py.eq(a, b);
                case "in" -> Py.contains(b, a);
                case "not in" -> !Py.contains(b, a);
                case "<" -> Py.compare(a, b, op) < 0;
                case "<=" -> Py.compare(a, b, op) <= 0;
                case ">" -> Py.compare(a, b, op) > 0;
                case ">=" -> Py.compare(a, b, op) >= 0;
                default -> throw new TemplateError("unknown comparison " + op);
            };
        }

        private List<Object> positional(Args args, Scope scope) {
            List<Object> out = new ArrayList<>();
            for (Expr x : args.positional()) {
                out.add(eval(x, scope));
            }
            return out;
        }

        private Map<String, Object> keywords(Args args, Scope scope) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < args.names().size(); i++) {
                out.put(args.names().get(i), eval(args.values().get(i), scope));
            }
            return out;
        }
    }
}
