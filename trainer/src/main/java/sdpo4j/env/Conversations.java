package sdpo4j.env;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import sdpo4j.lm.text.ChatTemplate;

/**
 * A dataset {@code prompt} written as a conversation (TRL's conversational format): a list of
 * {@code {"role": ..., "content": ...}} turns. It must end with a user turn: that turn is the one
 * the policy answers and the one the teacher context rewrites with the solution and feedback
 * (TRL's SDPOTrainer refuses any other last turn too); every earlier turn is kept as written.
 */
public final class Conversations {
    /** The roles a turn may have; {@code tool} is a tool's result (see {@link sdpo4j.lm.text.ToolTurns}). */
    public static final List<String> ROLES = List.of("system", "user", "assistant", "tool");

    private Conversations() {}

    /**
     * The turns of {@code prompt} (a JSON array), checked; failures name the turn and what is allowed.
     *
     * @throws DatasetException.Field naming field {@code prompt}
     */
    static List<ChatTemplate.Message> parse(JsonNode prompt) {
        if (prompt.isEmpty()) {
            throw new DatasetException.Field("prompt", "is an empty conversation (it needs at least one user turn)");
        }
        List<ChatTemplate.Message> turns = new ArrayList<>();
        for (int i = 0; i < prompt.size(); i++) {
            turns.add(turn(prompt.get(i), i + 1, prompt.size()));
        }
        ChatTemplate.Message last = turns.get(turns.size() - 1);
        if (!last.role().equals("user")) {
            throw new DatasetException.Field("prompt", "ends with a turn of role '" + last.role() + "' (turn " + turns.size() + " of "
                    + turns.size() + "); a conversation must end with a user turn, the one the policy answers and the teacher "
                    + "context rewrites");
        }
        if (last.content().isBlank()) {
            throw new DatasetException.Field("prompt", "turn " + turns.size() + " of " + turns.size() + " (the last user turn) is empty");
        }
        return turns;
    }

    private static ChatTemplate.Message turn(JsonNode t, int n, int of) {
        String where = "turn " + n + " of " + of;
        if (!t.isObject()) {
            throw new DatasetException.Field("prompt", where + " must be an object {\"role\": ..., \"content\": ...}, got " + t);
        }
        for (Iterator<String> keys = t.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("role") && !key.equals("content")) {
                throw new DatasetException.Field("prompt", where + " has key '" + key + "'; a turn has only 'role' and "
                        + "'content' (write a tool call as the assistant turn's text)");
            }
        }
        JsonNode role = t.get("role");
        if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
            throw new DatasetException.Field("prompt", where + " has role " + (role == null ? "(missing)" : role) + "; allowed: "
                    + ROLES);
        }
        if (role.asText().equals("system") && n != 1) {
            throw new DatasetException.Field("prompt", where + " is a system turn; only the first turn may be one");
        }
        JsonNode content = t.get("content");
        if (content == null || !content.isTextual()) {
            throw new DatasetException.Field("prompt", where + " needs a string 'content', got "
                    + (content == null ? "none" : content));
        }
        return new ChatTemplate.Message(role.asText(), content.asText());
    }
}
