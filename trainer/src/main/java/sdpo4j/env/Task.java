package sdpo4j.env;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import sdpo4j.lm.text.ChatTemplate;

/**
 * One task of a dataset: its prompt and the environment-specific fields of its JSONL line. A
 * multi-turn task (a dataset {@code prompt} written as a conversation) keeps the turns before its
 * last user turn in {@code history}; that last user turn is {@code prompt}, the turn the policy
 * answers and the teacher context rewrites.
 *
 * @param id the line's {@code id}, or {@code <file>:<line>} when it has none
 * @param prompt what the policy is asked: the last user turn
 * @param fields the whole JSON object of the line (answer, tests, options, ...)
 * @param history the earlier turns (system, user, assistant, tool), empty for a single-turn task
 */
public record Task(String id, String prompt, JsonNode fields, List<ChatTemplate.Message> history) {
    public Task {
        history = List.copyOf(history);
    }

    /** A single-turn task. */
    public Task(String id, String prompt, JsonNode fields) {
        this(id, prompt, fields, List.of());
    }

    /** The whole conversation the policy answers: the earlier turns, then {@code prompt} as a user turn. */
    public List<ChatTemplate.Message> conversation() {
        List<ChatTemplate.Message> out = new ArrayList<>(history);
        out.add(new ChatTemplate.Message("user", prompt));
        return out;
    }
}
