package sdpo4j.train;

import java.util.List;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.lm.decoding.Generation;

/**
 * The G sampled responses to one prompt, with the environment's verdicts.
 *
 * @param task the task
 * @param promptIds the prompt as the student saw it (chat template applied)
 * @param responses the sampled continuations
 * @param scores one per response
 */
public record RolloutGroup(Task task, long[] promptIds, List<Generation> responses, List<Score> scores) {
    public RolloutGroup {
        responses = List.copyOf(responses);
        scores = List.copyOf(scores);
        if (responses.size() != scores.size()) {
            throw new IllegalArgumentException(responses.size() + " responses but " + scores.size() + " scores");
        }
    }
}
