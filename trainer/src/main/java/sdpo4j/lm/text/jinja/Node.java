package sdpo4j.lm.text.jinja;

import java.util.List;

/** The syntax tree of a template: statements and expressions, each with its template line. */
final class Node {
    private Node() {}

    sealed interface Stmt permits Text, Print, If, For, Set, SetBlock, Macro, Break, Continue, Seq {
        int line();
    }

    record Text(int line, String text) implements Stmt {}

    record Print(int line, Expr value) implements Stmt {}

    record If(int line, List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> orElse) implements Stmt {}

    record For(int line, Target target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> orElse) implements Stmt {}

    record Set(int line, Target target, Expr value) implements Stmt {}

    record SetBlock(int line, String name, List<Stmt> body) implements Stmt {}

    record Macro(int line, String name, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    /** A body rendered in the enclosing scope (transformers' {% generation %} block). */
    record Seq(int line, List<Stmt> body) implements Stmt {}

    /** An assignment target: one name, names to unpack into, or a namespace attribute. */
    record Target(List<String> names, boolean unpack, String attribute) {}

    sealed interface Expr permits Const, Name, ListLit, TupleLit, DictLit, GetAttr, GetItem, Slice, Call, Filter, Test,
            Binary, Unary, Compare, Cond {
        int line();
    }

    record Const(int line, Object value) implements Expr {}

    record Name(int line, String name) implements Expr {}

    record ListLit(int line, List<Expr> items) implements Expr {}

    record TupleLit(int line, List<Expr> items) implements Expr {}

    record DictLit(int line, List<Expr> keys, List<Expr> values) implements Expr {}

    record GetAttr(int line, Expr target, String name) implements Expr {}

    record GetItem(int line, Expr target, Expr key) implements Expr {}

    record Slice(int line, Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    record Args(List<Expr> positional, List<String> names, List<Expr> values) {
        static final Args NONE = new Args(List.of(), List.of(), List.of());
    }

    record Call(int line, Expr callee, Args args) implements Expr {}

    record Filter(int line, Expr value, String name, Args args) implements Expr {}

    record Test(int line, Expr value, String name, Args args, boolean negated) implements Expr {}

    /** Arithmetic, {@code ~}, {@code and}, {@code or}. */
    record Binary(int line, String op, Expr left, Expr right) implements Expr {}

    record Unary(int line, String op, Expr operand) implements Expr {}

    /** A chain such as {@code a < b <= c} or {@code x not in y}. */
    record Compare(int line, Expr first, List<String> ops, List<Expr> rest) implements Expr {}

    record Cond(int line, Expr test, Expr then, Expr orElse) implements Expr {}
}
