package sdpo4j.lm.text.jinja;

import sdpo4j.lm.text.jinja.Node.*;
import sdpo4j.lm.text.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the syntax tree with Jinja2's grammar and operator precedence (conditional expression,
 * or, and, not, comparisons, {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary, then
 * postfix, filters and tests). Tags outside the subset chat templates use are a syntax error.
 */
final class Parser {
    private final List<Token> tokens;
    private int at;
    /** How many for loops enclose the statement being parsed (a macro body starts afresh). */
    private int loops;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Stmt> body = p.body(List.of());
        if (p.peek().kind() != Kind.EOF) {
            throw p.error("unexpected '" + p.peek().value() + "'");
        }
        checkNames(body, false);
        return body;
    }

    /**
     * Unknown filters and tests are refused when the template is parsed, as Jinja2's compiler
     * does, except inside an if statement or a conditional expression, where Jinja2 defers the
     * error to the moment the filter is reached.
     */
    private static void checkNames(List<Stmt> body, boolean soft) {
        for (Stmt s : body) {
            if (s instanceof Print p) {
                checkNames(p.value(), soft);
            } else if (s instanceof If i) {
                i.tests().forEach(t -> checkNames(t, true));
                i.bodies().forEach(b -> checkNames(b, true));
                checkNames(i.orElse(), true);
            } else if (s instanceof For f) {
                checkNames(f.iterable(), soft);
                checkNames(f.filter(), false);
                checkNames(f.body(), false);
                checkNames(f.orElse(), false);
            } else if (s instanceof Set set) {
                checkNames(set.value(), soft);
            } else if (s instanceof SetBlock b) {
                checkNames(b.body(), false);
            } else if (s instanceof Macro m) {
                m.defaults().forEach(d -> checkNames(d, false));
                checkNames(m.body(), false);
            } else if (s instanceof Seq q) {
                checkNames(q.body(), soft);
            }
        }
    }

    private static void checkNames(Expr e, boolean soft) {
        if (e == null) {
            return;
        }
        if (e instanceof Filter f) {
            if (!soft && !Filters.NAMES.contains(f.name())) {
                throw new TemplateError("No filter named '" + f.name() + "'.", f.line(), false);
            }
            checkNames(f.value(), soft);
            checkArgs(f.args(), soft);
        } else if (e instanceof Test t) {
            if (!soft && !Tests.NAMES.contains(t.name())) {
                throw new TemplateError("No test named '" + t.name() + "'.", t.line(), false);
            }
            checkNames(t.value(), soft);
            checkArgs(t.args(), soft);
        } else if (e instanceof Cond c) {
            checkNames(c.test(), true);
            checkNames(c.then(), true);
            checkNames(c.orElse(), true);
        } else if (e instanceof ListLit l) {
            l.items().forEach(x -> checkNames(x, soft));
        } else if (e instanceof TupleLit t) {
            t.items().forEach(x -> checkNames(x, soft));
        } else if (e instanceof DictLit d) {
            d.keys().forEach(x -> checkNames(x, soft));
            d.values().forEach(x -> checkNames(x, soft));
        } else if (e instanceof GetAttr g) {
            checkNames(g.target(), soft);
        } else if (e instanceof GetItem g) {
            checkNames(g.target(), soft);
            checkNames(g.key(), soft);
        } else if (e instanceof Slice s) {
            checkNames(s.target(), soft);
            checkNames(s.start(), soft);
            checkNames(s.stop(), soft);
            checkNames(s.step(), soft);
        } else if (e instanceof Call c) {
            checkNames(c.callee(), soft);
            checkArgs(c.args(), soft);
        } else if (e instanceof Binary b) {
            checkNames(b.left(), soft);
            checkNames(b.right(), soft);
        } else if (e instanceof Unary u) {
            checkNames(u.operand(), soft);
        } else if (e instanceof Compare c) {
            checkNames(c.first(), soft);
            c.rest().forEach(x -> checkNames(x, soft));
        }
    }

    private static void checkArgs(Args a, boolean soft) {
        a.positional().forEach(x -> checkNames(x, soft));
        a.values().forEach(x -> checkNames(x, soft));
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(at++);
    }

    private TemplateError error(String message) {
        return new TemplateError(message, peek().line(), false);
    }

    private Token expect(Kind kind, String value) {
        Token t = peek();
        if (t.kind() != kind || (value != null && !t.value().equals(value))) {
            throw error("expected " + (value != null ? "'" + value + "'" : kind.name().toLowerCase()) + ", got '"
                    + (t.kind() == Kind.EOF ? "end of template" : t.value()) + "'");
        }
        return next();
    }

    private boolean skipOp(String op) {
        if (peek().isOp(op)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (peek().isName(name)) {
            at++;
            return true;
        }
        return false;
    }

    /** Statements until a block tag named in {@code ends}; leaves the parser on that tag's name. */
    private List<Stmt> body(List<String> ends) {
        List<Stmt> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error("unexpected end of template, expected one of " + ends);
                    }
                    return out;
                }
                case DATA -> {
                    next();
                    out.add(new Text(t.line(), t.value()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = tuple(true);
                    expect(Kind.VAR_END, null);
                    out.add(new Print(t.line(), e));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && ends.contains(name.value())) {
                        next();
                        return out;
                    }
                    next();
                    out.add(statement());
                }
                default -> throw error("unexpected '" + t.value() + "'");
            }
        }
    }

    private void endTag() {
        expect(Kind.BLOCK_END, null);
    }

    private Stmt statement() {
        Token t = expect(Kind.NAME, null);
        int line = t.line();
        switch (t.value()) {
            case "if" -> {
                List<Expr> tests = new ArrayList<>();
                List<List<Stmt>> bodies = new ArrayList<>();
                List<Stmt> orElse = List.of();
                tests.add(tuple(false));
                endTag();
                while (true) {
                    bodies.add(body(List.of("elif", "else", "endif")));
                    String tag = next().value();
                    if (tag.equals("elif")) {
                        tests.add(tuple(false));
                        endTag();
                    } else if (tag.equals("else")) {
                        endTag();
                        orElse = body(List.of("endif"));
                        next();
                        endTag();
                        break;
                    } else {
                        endTag();
                        break;
                    }
                }
                return new If(line, tests, bodies, orElse);
            }
            case "for" -> {
                Target target = target();
                expect(Kind.NAME, "in");
                Expr iterable = tuple(false);
                Expr filter = null;
                if (skipName("if")) {
                    filter = expression(true);
                }
                if (peek().isName("recursive")) {
                    throw error("recursive loops are not supported");
                }
                endTag();
                loops++;
                List<Stmt> body = body(List.of("else", "endfor"));
                loops--;
                List<Stmt> orElse = List.of();
                if (next().value().equals("else")) {
                    endTag();
                    orElse = body(List.of("endfor"));
                    next();
                }
                endTag();
                return new For(line, target, iterable, filter, body, orElse);
            }
            case "set" -> {
                Target target = target();
                if (skipOp("=")) {
                    Expr value = tuple(true);
                    endTag();
                    return new Set(line, target, value);
                }
                if (target.unpack() || target.attribute() != null) {
                    throw error("a block set takes one name");
                }
                endTag();
                List<Stmt> body = body(List.of("endset"));
                next();
                endTag();
                return new SetBlock(line, target.names().get(0), body);
            }
            case "macro" -> {
                String name = expect(Kind.NAME, null).value();
                List<String> params = new ArrayList<>();
                List<Expr> defaults = new ArrayList<>();
                expect(Kind.OP, "(");
                while (!skipOp(")")) {
                    if (!params.isEmpty()) {
                        expect(Kind.OP, ",");
                        if (skipOp(")")) {
                            break;
                        }
                    }
                    params.add(expect(Kind.NAME, null).value());
                    defaults.add(skipOp("=") ? expression(true) : null);
                }
                endTag();
                int enclosing = loops;
                loops = 0;
                List<Stmt> body = body(List.of("endmacro"));
                loops = enclosing;
                next();
                if (peek().kind() == Kind.NAME) {
                    next();
                }
                endTag();
                return new Macro(line, name, params, defaults, body);
            }
            case "break", "continue" -> {
                if (loops == 0) {
                    throw new TemplateError("'" + t.value() + "' outside loop", line, false);
                }
                endTag();
                return t.value().equals("break") ? new Break(line) : new Continue(line);
            }
            case "generation" -> {
                endTag();
                List<Stmt> body = body(List.of("endgeneration"));
                next();
                endTag();
                return new Seq(line, body);
            }
            default -> throw new TemplateError("unsupported tag '" + t.value() + "'", line, false);
        }
    }

    private Target target() {
        List<String> names = new ArrayList<>();
        boolean paren = skipOp("(");
        names.add(expect(Kind.NAME, null).value());
        if (!paren && names.size() == 1 && skipOp(".")) {
            return new Target(names, false, expect(Kind.NAME, null).value());
        }
        boolean unpack = paren;
        while (skipOp(",")) {
            unpack = true;
            if (peek().kind() != Kind.NAME) {
                break;
            }
            names.add(expect(Kind.NAME, null).value());
        }
        if (paren) {
            expect(Kind.OP, ")");
        }
        return new Target(names, unpack, null);
    }

    /** An expression, or a tuple of them when separated by commas (as in {@code {{ a, b }}}). */
    private Expr tuple(boolean withCondition) {
        int line = peek().line();
        Expr first = expression(withCondition);
        if (!peek().isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (skipOp(",")) {
            if (atTupleEnd()) {
                break;
            }
            items.add(expression(withCondition));
        }
        return new TupleLit(line, items);
    }

    private boolean atTupleEnd() {
        Token t = peek();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")") || t.isName("if")
                || t.isName("in") || t.isOp("=");
    }

    private Expr expression(boolean withCondition) {
        return withCondition ? condition() : or();
    }

    private Expr condition() {
        Expr e = or();
        while (peek().isName("if")) {
            int line = next().line();
            Expr test = or();
            Expr orElse = skipName("else") ? condition() : null;
            e = new Cond(line, test, e, orElse);
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (peek().isName("or")) {
            int line = next().line();
            e = new Binary(line, "or", e, and());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (peek().isName("and")) {
            int line = next().line();
            e = new Binary(line, "and", e, not());
        }
        return e;
    }

    private Expr not() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Unary(line, "not", not());
        }
        return compare();
    }

    private Expr compare() {
        int line = peek().line();
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OP && List.of("==", "!=", "<", ">", "<=", ">=").contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                at += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Compare(line, first, ops, rest);
    }

    private Expr math1() {
        Expr e = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            e = new Binary(op.line(), op.value(), e, concat());
        }
        return e;
    }

    private Expr concat() {
        Expr e = math2();
        while (peek().isOp("~")) {
            int line = next().line();
            e = new Binary(line, "~", e, math2());
        }
        return e;
    }

    private Expr math2() {
        Expr e = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token op = next();
            e = new Binary(op.line(), op.value(), e, pow());
        }
        return e;
    }

    private Expr pow() {
        Expr e = unary(true);
        while (peek().isOp("**")) {
            int line = next().line();
            e = new Binary(line, "**", e, unary(true));
        }
        return e;
    }

    private Expr unary(boolean withFilter) {
        Token t = peek();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            e = new Unary(t.line(), t.value(), unary(false));
        } else {
            e = postfix(primary());
        }
        return withFilter ? filters(e) : e;
    }

    private Expr primary() {
        Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.value()) {
                    case "true", "True" -> new Const(line, Boolean.TRUE);
                    case "false", "False" -> new Const(line, Boolean.FALSE);
                    case "none", "None" -> new Const(line, null);
                    default -> new Name(line, t.value());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.value());
                while (peek().kind() == Kind.STRING) {
                    sb.append(next().value());
                }
                return new Const(line, sb.toString());
            }
            case INT -> {
                return new Const(line, parseInt(t.value()));
            }
            case FLOAT -> {
                return new Const(line, Double.parseDouble(t.value()));
            }
            case OP -> {
                switch (t.value()) {
                    case "(" -> {
                        if (skipOp(")")) {
                            return new TupleLit(line, List.of());
                        }
                        Expr first = expression(true);
                        if (skipOp(")")) {
                            return first;
                        }
                        List<Expr> items = new ArrayList<>(List.of(first));
                        while (skipOp(",")) {
                            if (peek().isOp(")")) {
                                break;
                            }
                            items.add(expression(true));
                        }
                        expect(Kind.OP, ")");
                        return new TupleLit(line, items);
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!skipOp("]")) {
                            if (!items.isEmpty()) {
                                expect(Kind.OP, ",");
                                if (skipOp("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        return new ListLit(line, items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!skipOp("}")) {
                            if (!keys.isEmpty()) {
                                expect(Kind.OP, ",");
                                if (skipOp("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            expect(Kind.OP, ":");
                            values.add(expression(true));
                        }
                        return new DictLit(line, keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        at--;
        throw error("unexpected '" + (t.kind() == Kind.EOF ? "end of template" : t.value()) + "'");
    }

    private static Object parseInt(String text) {
        String s = text.toLowerCase();
        if (s.startsWith("0x")) {
            return Long.parseLong(s.substring(2), 16);
        } else if (s.startsWith("0o")) {
            return Long.parseLong(s.substring(2), 8);
        } else if (s.startsWith("0b")) {
            return Long.parseLong(s.substring(2), 2);
        }
        return Long.parseLong(s);
    }

    private Expr postfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                next();
                Token name = next();
                if (name.kind() == Kind.NAME) {
                    e = new GetAttr(t.line(), e, name.value());
                } else if (name.kind() == Kind.INT) {
                    e = new GetItem(t.line(), e, new Const(t.line(), parseInt(name.value())));
                } else {
                    at--;
                    throw error("expected an attribute name");
                }
            } else if (t.isOp("[")) {
                next();
                e = subscript(e, t.line());
            } else if (t.isOp("(")) {
                next();
                e = new Call(t.line(), e, args());
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr target, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!peek().isOp("]")) {
            if (skipOp(":")) {
                slice = true;
                part++;
                if (part > 2) {
                    throw error("too many ':' in a slice");
                }
                continue;
            }
            if (parts[part] != null) {
                throw error("expected ']'");
            }
            parts[part] = expression(true);
            if (peek().isOp(",")) {
                throw error("tuple subscripts are not supported");
            }
        }
        next();
        if (!slice) {
            if (parts[0] == null) {
                throw error("expected a subscript");
            }
            return new GetItem(line, target, parts[0]);
        }
        return new Slice(line, target, parts[0], parts[1], parts[2]);
    }

    /** Call arguments after '(': positional then keyword ones, up to and including ')'. */
    private Args args() {
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        boolean first = true;
        while (!skipOp(")")) {
            if (!first) {
                expect(Kind.OP, ",");
                if (skipOp(")")) {
                    break;
                }
            }
            first = false;
            if (peek().isOp("*") || peek().isOp("**")) {
                throw error("*args and **kwargs in calls are not supported");
            }
            if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
                names.add(next().value());
                next();
                values.add(expression(true));
            } else {
                if (!names.isEmpty()) {
                    throw error("positional argument after a keyword argument");
                }
                positional.add(expression(true));
            }
        }
        return new Args(positional, names, values);
    }

    private Expr filters(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                next();
                StringBuilder name = new StringBuilder(expect(Kind.NAME, null).value());
                while (peek().isOp(".")) {
                    next();
                    name.append('.').append(expect(Kind.NAME, null).value());
                }
                Args a = skipOp("(") ? args() : Args.NONE;
                e = new Filter(t.line(), e, name.toString(), a);
            } else if (t.isName("is")) {
                next();
                boolean negated = skipName("not");
                String name = expect(Kind.NAME, null).value();
                Args a = Args.NONE;
                Token n = peek();
                if (skipOp("(")) {
                    a = args();
                } else if ((n.kind() == Kind.NAME || n.kind() == Kind.STRING || n.kind() == Kind.INT || n.kind() == Kind.FLOAT
                        || n.isOp("[") || n.isOp("{")) && !n.isName("else") && !n.isName("or") && !n.isName("and")) {
                    if (n.isName("is")) {
                        throw error("You cannot chain multiple tests with is");
                    }
                    a = new Args(List.of(postfix(primary())), List.of(), List.of());
                }
                e = new Test(t.line(), e, name, a, negated);
            } else if (t.isOp("(")) {
                next();
                e = new Call(t.line(), e, args());
            } else {
                return e;
            }
        }
    }
}
