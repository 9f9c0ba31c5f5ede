package sdpo4j.env.countdown;

import java.math.BigInteger;

/** An exact rational number, so that 8/3*3 is 8 and not 7.999. */
record Fraction(long numerator, long denominator) {
    Fraction {
        if (denominator == 0) {
            throw new ArithmeticException("zero denominator");
        }
        long g = BigInteger.valueOf(numerator).gcd(BigInteger.valueOf(denominator)).longValueExact();
        g = g == 0 ? 1 : g;
        long sign = denominator < 0 ? -1 : 1;
        numerator = sign * numerator / g;
        denominator = sign * denominator / g;
    }

    static Fraction of(long n) {
        return new Fraction(n, 1);
    }

    Fraction plus(Fraction o) {
        return new Fraction(Math.addExact(Math.multiplyExact(numerator, o.denominator), Math.multiplyExact(o.numerator, denominator)),
                Math.multiplyExact(denominator, o.denominator));
    }

    Fraction minus(Fraction o) {
        return plus(new Fraction(-o.numerator, o.denominator));
    }

    Fraction times(Fraction o) {
        return new Fraction(Math.multiplyExact(numerator, o.numerator), Math.multiplyExact(denominator, o.denominator));
    }

    Fraction dividedBy(Fraction o) {
        return new Fraction(Math.multiplyExact(numerator, o.denominator), Math.multiplyExact(denominator, o.numerator));
    }

    boolean isZero() {
        return numerator == 0;
    }

    boolean isInteger() {
        return denominator == 1;
    }

    @Override
    public String toString() {
        return isInteger() ? Long.toString(numerator) : numerator + "/" + denominator;
    }
}
