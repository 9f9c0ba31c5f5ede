package sdpo4j.env.choice;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * Multiple choice: the task has {@code options} (2 to 10 strings, lettered A, B, ...) and the
 * gold {@code answer} letter; the prompt shows the question and its lettered options. The
 * response's choice is the letter after "answer" when it says so, otherwise its last
 * standalone option letter. Feedback states the correct answer, as in the Credit paper's
 * science tasks; informative feedback also quotes the chosen option and, when the task has a
 * {@code why_wrong} object (letter to reason), says why that option is wrong.
 */
public final class MultipleChoice implements Environment {
    // "Answer"/"answer is" in any case, but the letter upper-case only: a lower-case one was read
    // as a choice that never equals the gold letter, and "answer a question" is not option A.
    private static final Pattern STATED = Pattern.compile("(?i:answer)\\s*(?:(?i:is)|:)?\\s*\\(?([A-J])\\)?\\b");
    private static final Pattern LETTER = Pattern.compile("\\b([A-J])\\b");

    private final FeedbackDetail detail;

    /** With terse feedback. */
    public MultipleChoice() {
        this(FeedbackDetail.TERSE);
    }

    public MultipleChoice(FeedbackDetail detail) {
        this.detail = detail;
    }

    @Override
    public String name() {
        return "multiple-choice";
    }

    @Override
    public void validate(Task task) {
        JsonNode options = task.fields().get("options");
        if (options == null || !options.isArray() || options.size() < 2 || options.size() > 10) {
            throw new DatasetException.Field("options", "must be a list of 2 to 10 strings, got " + options);
        }
        for (JsonNode o : options) {
            if (!o.isTextual()) {
                throw new DatasetException.Field("options", "must hold strings only, got " + o);
            }
        }
        JsonNode answer = task.fields().get("answer");
        if (answer == null || !answer.isTextual() || answer.asText().length() != 1
                || answer.asText().charAt(0) < 'A' || answer.asText().charAt(0) >= 'A' + options.size()) {
            throw new DatasetException.Field("answer", "must be one of the option letters A.." + (char) ('A' + options.size() - 1)
                    + ", got " + answer);
        }
        JsonNode why = task.fields().get("why_wrong");
        if (why != null) {
            if (!why.isObject()) {
                throw new DatasetException.Field("why_wrong", "must be an object from option letter to reason, got " + why);
            }
            for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) why::fields) {
                String k = e.getKey();
                if (k.length() != 1 || k.charAt(0) < 'A' || k.charAt(0) >= 'A' + options.size() || k.equals(answer.asText())
                        || !e.getValue().isTextual()) {
                    throw new DatasetException.Field("why_wrong", "must map wrong option letters (A.."
                            + (char) ('A' + options.size() - 1) + ", not the answer) to strings, got " + k + ": " + e.getValue());
                }
            }
        }
    }

    @Override
    public Score score(Task task, String response) {
        char gold = task.fields().get("answer").asText().charAt(0);
        int n = task.fields().get("options").size();
        String text = response == null ? "" : response;
        Character choice = null;
        Matcher stated = STATED.matcher(text);
        if (stated.find()) {
            choice = stated.group(1).charAt(0);
        } else {
            Matcher m = LETTER.matcher(text);
            while (m.find()) {
                char c = m.group(1).charAt(0);
                if (c < 'A' + n) {
                    choice = c;
                }
            }
        }
        String correct = "The correct answer is " + gold + ": " + task.fields().get("options").get(gold - 'A').asText() + ".";
        if (choice == null) {
            return new Score(0, false, "No option letter was given. " + correct);
        }
        if (choice == gold) {
            return new Score(1, true, "");
        }
        if (detail == FeedbackDetail.TERSE) {
            return new Score(0, false, "Option " + choice + " is wrong. " + correct);
        }
        JsonNode why = task.fields().path("why_wrong").path(String.valueOf(choice));
        return new Score(0, false, "Option " + choice + " (" + task.fields().get("options").get(choice - 'A').asText()
                + ") is wrong" + (why.isTextual() ? ": " + sentence(why.asText()) : ".") + " " + correct);
    }

    private static String sentence(String reason) {
        String r = reason.strip();
        return r.endsWith(".") || r.endsWith("!") || r.endsWith("?") ? r : r + ".";
    }
}
