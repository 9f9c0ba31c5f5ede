package sdpo4j.lm.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Tool results for a chat template that has no {@code tool} role (Gemma 3's refuses any role but
 * user and assistant). Each tool turn becomes user text in the layout Qwen2.5's and Qwen3's own
 * templates give a tool result, {@code <tool_response>\n...\n</tool_response>} inside a user turn,
 * and is merged with a user turn next to it (joined by a newline), so that user and assistant turns
 * still alternate. Two user turns the dataset itself wrote in a row are left as they are.
 */
public final class ToolTurns {
    private ToolTurns() {}

    /** {@code turns} with every tool turn folded into user text. */
    public static List<ChatTemplate.Message> fold(List<ChatTemplate.Message> turns) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        // Whether out's last turn holds a folded tool result (only then is a neighbouring user turn merged into it).
        boolean lastFolded = false;
        for (ChatTemplate.Message m : turns) {
            boolean tool = m.role().equals("tool");
            String content = tool ? "<tool_response>\n" + m.content() + "\n</tool_response>" : m.content();
            ChatTemplate.Message prev = out.isEmpty() ? null : out.get(out.size() - 1);
            if ((tool || m.role().equals("user")) && prev != null && prev.role().equals("user") && (tool || lastFolded)) {
                out.set(out.size() - 1, new ChatTemplate.Message("user", prev.content() + "\n" + content));
                lastFolded = true;
            } else {
                out.add(new ChatTemplate.Message(tool ? "user" : m.role(), content));
                lastFolded = tool;
            }
        }
        return out;
    }
}
