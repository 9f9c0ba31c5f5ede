package sdpo4j.env.countdown;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * Countdown: reach {@code target} from {@code numbers} with + - * / and parentheses, each
 * number used at most as often as it is given. The response's equation is its last line that
 * contains a digit (an {@code = value} at its end is ignored); arithmetic is exact (fractions).
 * Reward 1 for a valid equation hitting the target; a valid equation that misses earns
 * {@code partialCredit}. Informative feedback names the rule broken, or the value reached, its
 * distance from the target and the numbers left unused; terse feedback only says invalid or missed.
 */
public final class Countdown implements Environment {
    private final double partialCredit;
    private final FeedbackDetail detail;

    /** With informative feedback (the broken rule, or the value reached against the target). */
    public Countdown(double partialCredit) {
        this(partialCredit, FeedbackDetail.INFORMATIVE);
    }

    public Countdown(double partialCredit, FeedbackDetail detail) {
        this.detail = detail;
        if (!(partialCredit >= 0 && partialCredit < 1)) {
            throw new IllegalArgumentException("partial credit must be in [0, 1), got " + partialCredit);
        }
        this.partialCredit = partialCredit;
    }

    @Override
    public String name() {
        return "countdown";
    }

    @Override
    public void validate(Task task) {
        JsonNode numbers = task.fields().get("numbers");
        if (numbers == null || !numbers.isArray() || numbers.isEmpty()) {
            throw new DatasetException.Field("numbers", "must be a non-empty list of positive integers, got " + numbers);
        }
        for (JsonNode n : numbers) {
            if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > 1_000_000) {
                throw new DatasetException.Field("numbers", "must hold positive integers up to 1000000, got " + n);
            }
        }
        JsonNode target = task.fields().get("target");
        if (target == null || !target.isIntegralNumber()) {
            throw new DatasetException.Field("target", "must be an integer, got " + target);
        }
    }

    /** Feedback quotes at most this much of an unreadable equation: it ends up in the teacher's context. */
    static final int MAX_QUOTE = 80;

    static String abbreviated(String expr) {
        return expr.length() <= MAX_QUOTE ? expr : expr.substring(0, MAX_QUOTE) + "...";
    }

    @Override
    public Score score(Task task, String response) {
        String expr = equation(response == null ? "" : response);
        if (expr == null) {
            return new Score(0, false, informative() ? "No equation was found: write one line such as (25-5)*4 that uses the "
                    + "given numbers." : INVALID);
        }
        Expression.Result r;
        try {
            r = Expression.evaluate(expr);
        } catch (Expression.ParseException e) {
            return new Score(0, false, informative() ? "The equation '" + abbreviated(expr) + "' could not be read: "
                    + e.getMessage() + "." : INVALID);
        }
        Map<Long, Integer> allowed = new HashMap<>();
        task.fields().get("numbers").forEach(n -> allowed.merge(n.asLong(), 1, Integer::sum));
        Map<Long, Integer> used = new LinkedHashMap<>();
        r.numbers().forEach(n -> used.merge(n, 1, Integer::sum));
        for (Map.Entry<Long, Integer> u : used.entrySet()) {
            int have = allowed.getOrDefault(u.getKey(), 0);
            if (have == 0) {
                return new Score(0, false, informative() ? "The number " + u.getKey() + " is not allowed: use only "
                        + task.fields().get("numbers") + "." : INVALID);
            }
            if (u.getValue() > have) {
                return new Score(0, false, informative() ? "The number " + u.getKey() + " is used " + u.getValue()
                        + " times but given " + (have == 1 ? "once" : have + " times") + "." : INVALID);
            }
        }
        if (r.divisionByZero()) {
            return new Score(0, false, informative() ? "The equation divides by zero." : INVALID);
        }
        long target = task.fields().get("target").asLong();
        if (r.value().isInteger() && r.value().numerator() == target) {
            return new Score(1, true, "");
        }
        if (!informative()) {
            return new Score(partialCredit, false, "The equation misses the target.");
        }
        return new Score(partialCredit, false, "The equation equals " + r.value() + ", " + distance(r.value(), target)
                + " the target " + target + "." + unused(allowed, used));
    }

    /** "3 above" / "1/2 below"; "not" when the gap does not fit a long (the value itself is printed). */
    private static String distance(Fraction value, long target) {
        try {
            Fraction gap = value.minus(Fraction.of(target));
            return new Fraction(Math.abs(gap.numerator()), gap.denominator()) + (gap.numerator() > 0 ? " above" : " below");
        } catch (ArithmeticException overflow) {
            return "not";
        }
    }

    private static final String INVALID = "The equation is not valid.";

    private boolean informative() {
        return detail == FeedbackDetail.INFORMATIVE;
    }

    /** " Unused: 3, 7." for the given numbers the equation left out, or "". */
    private static String unused(Map<Long, Integer> allowed, Map<Long, Integer> used) {
        List<String> left = new ArrayList<>();
        allowed.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            for (int i = used.getOrDefault(e.getKey(), 0); i < e.getValue(); i++) {
                left.add(String.valueOf(e.getKey()));
            }
        });
        return left.isEmpty() ? "" : " Unused: " + String.join(", ", left) + ".";
    }

    /** The last line with a digit, without a trailing {@code = value}. */
    static String equation(String response) {
        String found = null;
        for (String line : response.split("\n")) {
            if (line.chars().anyMatch(Character::isDigit)) {
                found = line;
            }
        }
        if (found == null) {
            return null;
        }
        int eq = found.indexOf('=');
        String lhs = eq >= 0 ? found.substring(0, eq) : found;
        lhs = lhs.replaceAll("(?i)^.*?(answer|equation)\\s*:", "").trim();
        return lhs.isEmpty() ? null : lhs;
    }

    /** Seeded solvable tasks: four numbers and a target reached by a random expression over them. */
    public static List<Map<String, Object>> generate(int count, long seed, String idPrefix) {
        Random rnd = new Random(seed);
        List<Map<String, Object>> out = new ArrayList<>();
        String[] ops = {"+", "-", "*"};
        while (out.size() < count) {
            long[] nums = new long[4];
            for (int i = 0; i < 4; i++) {
                nums[i] = 1 + rnd.nextInt(i == 0 ? 50 : 12);
            }
            String expr = "((" + nums[0] + ops[rnd.nextInt(3)] + nums[1] + ")" + ops[rnd.nextInt(3)] + nums[2] + ")"
                    + ops[rnd.nextInt(3)] + nums[3];
            Fraction v = Expression.evaluate(expr).value();
            if (!v.isInteger() || v.numerator() < 1 || v.numerator() > 999) {
                continue;
            }
            List<Long> shuffled = new ArrayList<>(List.of(nums[0], nums[1], nums[2], nums[3]));
            java.util.Collections.shuffle(shuffled, rnd);
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("id", idPrefix + out.size());
            task.put("prompt", "Using the numbers " + shuffled + " each at most once, with + - * / and parentheses, "
                    + "write an expression equal to " + v.numerator() + ".");
            task.put("numbers", shuffled);
            task.put("target", v.numerator());
            out.add(task);
        }
        return out;
    }
}
