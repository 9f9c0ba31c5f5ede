package sdpo4j.env.countdown;

import java.util.ArrayList;
import java.util.List;

/** A recursive-descent reader of {@code + - * /} expressions with parentheses over positive integers. */
final class Expression {
    /** The value, the numbers written (in order), and whether a division by zero happened. */
    record Result(Fraction value, List<Long> numbers, boolean divisionByZero) {}

    static final class ParseException extends RuntimeException {
        ParseException(String message) {
            super(message);
        }
    }

    /** Deeper nesting is refused: each level costs stack frames, and no real equation needs it. */
    static final int MAX_DEPTH = 64;

    private final String s;
    private int pos;
    private int depth;
    private final List<Long> numbers = new ArrayList<>();
    private boolean divisionByZero;

    private Expression(String s) {
        this.s = s.replace('×', '*').replace('÷', '/').replace('x', '*');
    }

    static Result evaluate(String text) {
        Expression e = new Expression(text);
        Fraction v;
        try {
            v = e.sum();
        } catch (ArithmeticException overflow) {
            throw new ParseException("the numbers grow too large");
        }
        e.skipSpaces();
        if (e.pos < e.s.length()) {
            throw new ParseException("unexpected '" + e.s.charAt(e.pos) + "' at position " + (e.pos + 1));
        }
        return new Result(v, e.numbers, e.divisionByZero);
    }

    private Fraction sum() {
        Fraction v = product();
        while (true) {
            skipSpaces();
            if (peek('+')) {
                pos++;
                v = v.plus(product());
            } else if (peek('-')) {
                pos++;
                v = v.minus(product());
            } else {
                return v;
            }
        }
    }

    private Fraction product() {
        Fraction v = atom();
        while (true) {
            skipSpaces();
            if (peek('*')) {
                pos++;
                v = v.times(atom());
            } else if (peek('/')) {
                pos++;
                Fraction d = atom();
                if (d.isZero()) {
                    divisionByZero = true;
                    d = Fraction.of(1);
                }
                v = v.dividedBy(d);
            } else {
                return v;
            }
        }
    }

    private Fraction atom() {
        skipSpaces();
        if (peek('(')) {
            pos++;
            if (++depth > MAX_DEPTH) {
                throw new ParseException("parentheses are nested more than " + MAX_DEPTH + " deep");
            }
            Fraction v = sum();
            skipSpaces();
            if (!peek(')')) {
                throw new ParseException("a parenthesis is not closed");
            }
            pos++;
            depth--;
            return v;
        }
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw new ParseException(pos < s.length() ? "expected a number at '" + s.charAt(pos) + "'" : "the expression ends early");
        }
        if (pos - start > 12) {
            throw new ParseException("the number " + s.substring(start, pos) + " is too long");
        }
        long n = Long.parseLong(s.substring(start, pos));
        numbers.add(n);
        return Fraction.of(n);
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void skipSpaces() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }
}
