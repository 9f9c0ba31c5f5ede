package sdpo4j.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import sdpo4j.config.Check;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.lm.text.ChatTemplate;

/**
 * The built-in model's pretraining text for arithmetic: examples that teach both solving (only
 * partly) and reading a teacher context, so that the self-teacher knows more than the student
 * and has something to distil. Each example is a conversation (a single user turn for
 * {@code arithmetic}; for {@code arithmetic-tool} the user's question, the assistant's calculator
 * call and the tool's result before it) and the assistant's answer to its last user turn; the loss
 * is on the answer only. Per task, {@value #EXAMPLES_PER_TASK} examples, the last user turn
 * rewritten as the teacher would see it:
 * <ul>
 *   <li>plain: the expression. A share {@link Mix#knownShare} of the distinct expressions (drawn
 *       once each) is always answered correctly; each other one has a misconception of its own,
 *       a fixed wrong value given in place of the answer except with probability
 *       {@link Mix#solveAccuracy}. A model that fits this text answers the known share greedily
 *       and the rest wrongly but not always, so greedy plain accuracy stays near the known share
 *       while sampled rollouts of a group still differ in reward: RL has something to learn;</li>
 *   <li>with a correct solution in the context (the teacher's successful-sibling case): answered
 *       correctly;</li>
 *   <li>{@value #FEEDBACK_EXAMPLES} times with feedback on a wrong attempt (the teacher's feedback case),
 *       in the environment's form {@link Mix#feedback}: once on the expression's misconception
 *       (what the model itself answers when wrong), then on values off by 1 to 9; the answer is
 *       the corrected one. Informative feedback says by how much the attempt is off, so the
 *       answer can be worked out from it.</li>
 * </ul>
 */
public final class PretrainCorpus {
    /**
     * One training example: the turns before the last user turn (empty for a single turn), what
     * the user says last, and what the assistant answers.
     */
    public record Example(List<ChatTemplate.Message> history, String user, String answer) {
        public Example {
            history = List.copyOf(history);
        }

        /** A single-turn example. */
        public Example(String user, String answer) {
            this(List.of(), user, answer);
        }

        /** The whole conversation the answer follows: the history, then {@link #user} as a user turn. */
        public List<ChatTemplate.Message> conversation() {
            List<ChatTemplate.Message> out = new ArrayList<>(history);
            out.add(new ChatTemplate.Message("user", user));
            return out;
        }
    }

    /**
     * One generated task as the corpus reads it: the earlier turns, the last user turn (whose text
     * keys the expression's misconception, so that conversations ending in the same question agree)
     * and the answer.
     */
    record Problem(List<ChatTemplate.Message> history, String prompt, long answer) {
        /**
         * From a generated task ({@link Arithmetic#generate}: {@code prompt} a string; {@link
         * sdpo4j.env.arithmetic.ArithmeticTool#generate}: a list of turns ending with the user's).
         */
        @SuppressWarnings("unchecked")
        static Problem of(Map<String, Object> task) {
            long answer = ((Number) task.get("answer")).longValue();
            if (task.get("prompt") instanceof String prompt) {
                return new Problem(List.of(), prompt, answer);
            }
            List<ChatTemplate.Message> turns = new ArrayList<>();
            for (Map<String, String> t : (List<Map<String, String>>) task.get("prompt")) {
                turns.add(new ChatTemplate.Message(t.get("role"), t.get("content")));
            }
            return new Problem(turns.subList(0, turns.size() - 1), turns.get(turns.size() - 1).content(), answer);
        }

        /** This problem's conversation with its last user turn replaced by {@code user}. */
        Example example(String user, long answer) {
            return new Example(history, user, String.valueOf(answer));
        }
    }

    /**
     * Feedback examples per task. Reading feedback to the corrected answer is the hardest skill
     * of the corpus: two of four examples left held-out accuracy with feedback at 0.59-0.70
     * (docs/lm.md), so it has the majority of the examples.
     */
    public static final int FEEDBACK_EXAMPLES = 3;
    /** Examples per task: plain, with a solution, and the feedback ones, in that order. */
    public static final int EXAMPLES_PER_TASK = 2 + FEEDBACK_EXAMPLES;

    /**
     * What the corpus teaches: the share of expressions solved plainly, how often the others are
     * answered correctly anyway, and the form of the feedback the teacher context quotes.
     */
    public record Mix(double knownShare, double solveAccuracy, FeedbackDetail feedback) {
        public Mix {
            Check.inRange("known-share", knownShare, 0, 1);
            Check.inRange("solve-accuracy", solveAccuracy, 0, 1);
            Objects.requireNonNull(feedback, "feedback");
        }
    }

    private PretrainCorpus() {}

    /**
     * The corpus for generated arithmetic or arithmetic-tool tasks (maps as their {@code generate}
     * writes them), deterministic for {@code seed}.
     */
    public static List<Example> arithmetic(List<Map<String, Object>> tasks, TeacherContexts contexts, Mix mix, long seed) {
        Random rnd = new Random(seed);
        // Drawn at an expression's first occurrence, so that its repeats in the corpus agree.
        Map<String, Boolean> known = new HashMap<>();
        Map<String, Long> misconception = new HashMap<>();
        List<Example> out = new ArrayList<>();
        for (Map<String, Object> t : tasks) {
            Problem p = Problem.of(t);
            long answer = p.answer();
            boolean solved = known.computeIfAbsent(p.prompt(), q -> rnd.nextDouble() < mix.knownShare());
            long mistaken = misconception.computeIfAbsent(p.prompt(), q -> offBy(answer, 5, rnd));
            boolean right = solved || rnd.nextDouble() < mix.solveAccuracy();
            out.add(p.example(p.prompt(), right ? answer : mistaken));
            out.add(p.example(contexts.render(p.prompt(), new TeacherContexts.Context(String.valueOf(answer), null)), answer));
            for (int k = 0; k < FEEDBACK_EXAMPLES; k++) {
                long attempt = k == 0 ? mistaken : offBy(answer, 9, rnd);
                String feedback = Arithmetic.wrongAnswerFeedback(attempt, answer, mix.feedback());
                out.add(p.example(contexts.render(p.prompt(), new TeacherContexts.Context(null, feedback)), answer));
            }
        }
        return out;
    }

    /** {@code answer} moved up or down by 1 to {@code most}. */
    private static long offBy(long answer, int most, Random rnd) {
        return answer + (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(most));
    }
}
