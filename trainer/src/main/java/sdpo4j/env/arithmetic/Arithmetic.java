package sdpo4j.env.arithmetic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * Integer arithmetic without words: the prompt is an expression such as {@code 37*4+12=}, the
 * task's {@code answer} field its integer value. The response's answer is the first integer it
 * contains; reward 1 for the exact value.
 */
public final class Arithmetic implements Environment {
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final String[] PLACES = {"units", "tens", "hundreds", "thousands"};
    private final ArithmeticConfig cfg;
    private final FeedbackDetail detail;

    /** With terse feedback. */
    public Arithmetic(ArithmeticConfig cfg) {
        this(cfg, FeedbackDetail.TERSE);
    }

    public Arithmetic(ArithmeticConfig cfg, FeedbackDetail detail) {
        this.cfg = cfg;
        this.detail = detail;
    }

    @Override
    public String name() {
        return "arithmetic";
    }

    @Override
    public void validate(Task task) {
        JsonNode a = task.fields().get("answer");
        if (a == null) {
            throw new DatasetException.Field("answer", "is missing (the integer value of the prompt)");
        }
        if (!a.isIntegralNumber() || !a.canConvertToLong()) {
            throw new DatasetException.Field("answer", "must be an integer, got " + a);
        }
    }

    @Override
    public Score score(Task task, String response) {
        long answer = task.fields().get("answer").asLong();
        Matcher m = INTEGER.matcher(response == null ? "" : response);
        if (!m.find()) {
            return new Score(0, false, "The answer could not be read: the response contains no integer.");
        }
        long given;
        try {
            given = Long.parseLong(m.group());
        } catch (NumberFormatException e) {
            // Quote only the start: the feedback ends up in the teacher's context.
            String digits = m.group().length() <= 24 ? m.group() : m.group().substring(0, 24) + "...";
            return new Score(0, false, "The answer " + digits + " is not a valid integer (too many digits).");
        }
        if (given == answer) {
            return new Score(1, true, "");
        }
        return new Score(0, false, wrongAnswerFeedback(given, answer, detail)
                + (cfg.revealAnswer() ? " The correct answer is " + answer + "." : ""));
    }

    /**
     * The feedback on a wrong answer: which way it is off ("too large" says "wrong" already). Short
     * on purpose: every distinct wrong answer of a group is a teacher context of its own, and its
     * text after the answer is computed once per context (the built-in model reads bytes: "is
     * wrong: it is" was 12 positions of every one). Also the text the built-in model is pretrained
     * to read (PretrainCorpus), which must match what training then shows it.
     */
    public static String wrongAnswerFeedback(long given, long answer) {
        return "The answer " + given + " is " + (given < answer ? "too small" : "too large") + ".";
    }

    /**
     * The feedback on a wrong answer at the given detail. Informative: by how much it is off
     * and which digits differ, e.g. {@code The answer 40 is 3 too large (the units digit is wrong).}
     */
    public static String wrongAnswerFeedback(long given, long answer, FeedbackDetail detail) {
        if (detail == FeedbackDetail.TERSE) {
            return wrongAnswerFeedback(given, answer);
        }
        // given != answer, both parsed longs: the difference of two 64-bit values can overflow
        java.math.BigInteger off = java.math.BigInteger.valueOf(given).subtract(java.math.BigInteger.valueOf(answer)).abs();
        return "The answer " + given + " is " + off + (given < answer ? " too small" : " too large") + " ("
                + wrongDigits(given, answer) + ").";
    }

    /** Which digits of {@code given} differ from {@code answer}'s, places aligned from the right. */
    static String wrongDigits(long given, long answer) {
        String g = digits(given);
        String a = digits(answer);
        if (g.length() != a.length()) {
            return "it has " + g.length() + (g.length() == 1 ? " digit" : " digits") + ", the answer " + a.length();
        }
        List<String> wrong = new ArrayList<>();
        for (int place = g.length() - 1; place >= 0; place--) {
            int i = g.length() - 1 - place;
            if (g.charAt(i) != a.charAt(i)) {
                wrong.add(place < PLACES.length ? PLACES[place] : "10^" + place);
            }
        }
        if (wrong.isEmpty()) {
            return "only its sign is wrong";
        }
        String names = wrong.size() == 1 ? wrong.get(0)
                : String.join(", ", wrong.subList(0, wrong.size() - 1)) + " and " + wrong.get(wrong.size() - 1);
        return "the " + names + (wrong.size() == 1 ? " digit is" : " digits are") + " wrong";
    }

    private static String digits(long v) {
        String s = Long.toString(v);
        return s.startsWith("-") ? s.substring(1) : s;
    }

    /** Seeded expressions with their values, as JSONL-ready maps ({@code id}, {@code prompt}, {@code answer}). */
    public static List<Map<String, Object>> generate(ArithmeticConfig cfg, int count, long seed, String idPrefix) {
        Random rnd = new Random(seed);
        int max = (int) Math.pow(10, cfg.digits());
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder expr = new StringBuilder();
            List<Long> values = new ArrayList<>();
            List<String> ops = new ArrayList<>();
            for (int t = 0; t < cfg.terms(); t++) {
                long v = rnd.nextInt(max);
                values.add(v);
                expr.append(v);
                if (t < cfg.terms() - 1) {
                    String op = cfg.operators().get(rnd.nextInt(cfg.operators().size()));
                    ops.add(op);
                    expr.append(op);
                }
            }
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("id", idPrefix + i);
            task.put("prompt", expr + "=");
            task.put("answer", evaluate(values, ops));
            out.add(task);
        }
        return out;
    }

    /** Left to right with the usual precedence of {@code *} over {@code + -}. */
    static long evaluate(List<Long> values, List<String> ops) {
        List<Long> terms = new ArrayList<>();
        List<String> signs = new ArrayList<>();
        long current = values.get(0);
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).equals("*")) {
                current *= values.get(i + 1);
            } else {
                terms.add(current);
                signs.add(ops.get(i));
                current = values.get(i + 1);
            }
        }
        terms.add(current);
        long result = terms.get(0);
        for (int i = 0; i < signs.size(); i++) {
            result = signs.get(i).equals("+") ? result + terms.get(i + 1) : result - terms.get(i + 1);
        }
        return result;
    }
}
