package sdpo4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;

/**
 * The built-in model's pretraining text for arithmetic: examples that teach both solving and
 * reading a teacher context, so that the self-teacher has something to distil. Each example is
 * a user turn and the assistant's answer; the loss is on the answer only.
 * <ul>
 *   <li>plain: the expression, answered correctly with probability {@code solveAccuracy}, else
 *       off by a small amount (solving stays imperfect, so rollouts differ in reward);</li>
 *   <li>with a correct solution in the context (the teacher's successful-sibling case): always
 *       answered correctly;</li>
 *   <li>with feedback on a wrong earlier answer (the teacher's feedback case): answered
 *       correctly more often than plain, moving away from the criticised value.</li>
 * </ul>
 */
public final class PretrainCorpus {
    /** One training example: what the user says and what the assistant answers. */
    public record Example(String user, String answer) {}

    private PretrainCorpus() {}

    public static List<Example> arithmetic(List<Map<String, Object>> tasks, TeacherContexts contexts, double solveAccuracy,
            long seed) {
        Random rnd = new Random(seed);
        List<Example> out = new ArrayList<>();
        for (Map<String, Object> t : tasks) {
            String prompt = (String) t.get("prompt");
            long answer = ((Number) t.get("answer")).longValue();
            long wrong = answer + (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(9));
            out.add(new Example(prompt, String.valueOf(rnd.nextDouble() < solveAccuracy ? answer : wrong)));
            out.add(new Example(contexts.render(prompt, new TeacherContexts.Context(String.valueOf(answer), null)),
                    String.valueOf(answer)));
            String feedback = Arithmetic.wrongAnswerFeedback(wrong, answer);
            double afterFeedback = Math.min(1, solveAccuracy + (1 - solveAccuracy) / 2);
            long next = rnd.nextDouble() < afterFeedback ? answer : answer + (wrong < answer ? 1 : -1) * (1 + rnd.nextInt(5));
            out.add(new Example(contexts.render(prompt, new TeacherContexts.Context(null, feedback)), String.valueOf(next)));
        }
        return out;
    }
}
