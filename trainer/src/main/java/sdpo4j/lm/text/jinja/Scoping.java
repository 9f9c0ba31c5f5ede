package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Node.*;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which names a scope starts with as undefined, by Jinja2's compile-time symbol rules: a name
 * whose first mention in a scope (the template, a loop body, a macro or block-set body) is an
 * unconditional {@code set}, and that no enclosing scope mentions, is undefined in that scope until
 * the set runs, even where the render context has a value for it. So in
 * {@code {% for m in messages %}{{ x }}{% endfor %}{% set x = 1 %}} the loop prints nothing for
 * a context {@code x}. Everything else reads through to the enclosing scopes, as {@link JinjaTemplate}
 * does by default.
 */
final class Scoping {
    private Scoping() {}

    private enum Load { RESOLVE, ALIAS, UNDEFINED, PARAMETER }

    /** The names each scope body starts with as undefined, keyed by the body list's identity. */
    static Map<List<Stmt>, java.util.Set<String>> undefinedAtEntry(List<Stmt> template) {
        Map<List<Stmt>, java.util.Set<String>> out = new IdentityHashMap<>();
        analyze(template, null, List.of(), out);
        return out;
    }

    private static final class Symbols {
        final Symbols parent;
        Map<String, Load> refs = new HashMap<>();
        java.util.Set<String> stores = new HashSet<>();

        Symbols(Symbols parent) {
            this.parent = parent;
        }

        boolean known(String name) {
            return refs.containsKey(name) || (parent != null && parent.known(name));
        }

        void store(String name) {
            stores.add(name);
            if (!refs.containsKey(name)) {
                refs.put(name, parent != null && parent.known(name) ? Load.ALIAS : Load.UNDEFINED);
            }
        }

        void load(String name) {
            if (!known(name)) {
                refs.put(name, Load.RESOLVE);
            }
        }

        Symbols copy() {
            Symbols c = new Symbols(parent);
            c.refs = new HashMap<>(refs);
            c.stores = new HashSet<>(stores);
            return c;
        }

        void branchUpdate(List<Symbols> branches) {
            java.util.Set<String> added = new HashSet<>();
            for (Symbols b : branches) {
                added.addAll(b.stores);
            }
            added.removeAll(stores);
            for (Symbols b : branches) {
                refs.putAll(b.refs);
                stores.addAll(b.stores);
            }
            for (String name : added) {
                refs.put(name, parent != null && parent.known(name) ? Load.ALIAS : Load.RESOLVE);
            }
        }
    }

    /** A scope whose analysis waits until its enclosing scope is complete (it sees the later sets too). */
    private record Pending(List<Stmt> body, List<String> parameters) {}

    private static void analyze(List<Stmt> body, Symbols parent, List<String> parameters,
            Map<List<Stmt>, java.util.Set<String>> out) {
        Symbols sym = new Symbols(parent);
        for (String p : parameters) {
            sym.stores.add(p);
            sym.refs.put(p, Load.PARAMETER);
        }
        List<Pending> children = new ArrayList<>();
        Visitor v = new Visitor(children);
        v.symbols = sym;
        for (Stmt s : body) {
            v.stmt(s);
        }
        sym = v.symbols;
        java.util.Set<String> undefined = new HashSet<>();
        sym.refs.forEach((name, load) -> {
            if (load == Load.UNDEFINED) {
                undefined.add(name);
            }
        });
        out.put(body, undefined);
        for (Pending p : children) {
            analyze(p.body(), sym, p.parameters(), out);
        }
    }

    private static final class Visitor {
        final List<Pending> children;
        Symbols symbols;

        Visitor(List<Pending> children) {
            this.children = children;
        }

        void stmt(Stmt s) {
            if (s instanceof Print p) {
                expr(p.value());
            } else if (s instanceof If i) {
                expr(i.tests().get(0));
                Symbols original = symbols;
                Symbols body = inner(original, i.bodies().get(0));
                symbols = original.copy();
                for (int k = 1; k < i.tests().size(); k++) {
                    stmt(new If(i.line(), List.of(i.tests().get(k)), List.of(i.bodies().get(k)), List.of()));
                }
                Symbols elifs = symbols;
                Symbols orElse = inner(original, i.orElse());
                symbols = original;
                symbols.branchUpdate(List.of(body, elifs, orElse));
            } else if (s instanceof For f) {
                expr(f.iterable());
                children.add(new Pending(f.body(), f.target().names()));
                children.add(new Pending(f.orElse(), List.of()));
            } else if (s instanceof Set set) {
                expr(set.value());
                if (set.target().attribute() != null) {
                    symbols.load(set.target().names().get(0));
                } else {
                    set.target().names().forEach(symbols::store);
                }
            } else if (s instanceof SetBlock b) {
                symbols.store(b.name());
                children.add(new Pending(b.body(), List.of()));
            } else if (s instanceof Macro m) {
                symbols.store(m.name());
                children.add(new Pending(m.body(), m.params()));
            } else if (s instanceof Seq q) {
                q.body().forEach(this::stmt);
            }
        }

        private Symbols inner(Symbols original, List<Stmt> body) {
            symbols = original.copy();
            body.forEach(this::stmt);
            Symbols result = symbols;
            symbols = original;
            return result;
        }

        void expr(Expr e) {
            if (e == null) {
                return;
            }
            if (e instanceof Name n) {
                symbols.load(n.name());
            } else if (e instanceof ListLit l) {
                l.items().forEach(this::expr);
            } else if (e instanceof TupleLit t) {
                t.items().forEach(this::expr);
            } else if (e instanceof DictLit d) {
                for (int i = 0; i < d.keys().size(); i++) {
                    expr(d.keys().get(i));
                    expr(d.values().get(i));
                }
            } else if (e instanceof GetAttr g) {
                expr(g.target());
            } else if (e instanceof GetItem g) {
                expr(g.target());
                expr(g.key());
            } else if (e instanceof Slice s) {
                expr(s.target());
                expr(s.start());
                expr(s.stop());
                expr(s.step());
            } else if (e instanceof Call c) {
                expr(c.callee());
                args(c.args());
            } else if (e instanceof Filter f) {
                expr(f.value());
                args(f.args());
            } else if (e instanceof Test t) {
                expr(t.value());
                args(t.args());
            } else if (e instanceof Binary b) {
                expr(b.left());
                expr(b.right());
            } else if (e instanceof Unary u) {
                expr(u.operand());
            } else if (e instanceof Compare c) {
                expr(c.first());
                c.rest().forEach(this::expr);
            } else if (e instanceof Cond c) {
                expr(c.then());
                expr(c.test());
                expr(c.orElse());
            }
        }

        private void args(Args a) {
            a.positional().forEach(this::expr);
            a.values().forEach(this::expr);
        }
    }
}
