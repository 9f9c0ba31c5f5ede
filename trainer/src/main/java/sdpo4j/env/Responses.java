package sdpo4j.env;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSONL files of responses to score ({@code env check}): one JSON object per line with the
 * {@code id} of a dataset task and the {@code response} text. Read with the same checks as a
 * dataset, so a bad line names its file, line, field and reason instead of being scored as an
 * empty response.
 */
public final class Responses {
    private Responses() {}

    /**
     * One response.
     *
     * @param where {@code <file>:<line>}, for messages
     * @param id the task it answers
     * @param text what the policy wrote
     */
    public record Response(String where, String id, String text) {}

    public static List<Response> read(Path file) {
        List<Response> out = new ArrayList<>();
        Datasets.forEachLine(file, "responses", (lineNo, line) -> {
            String where = file + ":" + lineNo;
            JsonNode node = Datasets.parseObject(where, line);
            JsonNode id = node.get("id");
            if (id == null) {
                throw new DatasetException(where + ": field 'id' is missing (the task the response answers)");
            }
            Datasets.checkId(where, id);
            JsonNode text = node.get("response");
            if (text == null) {
                throw new DatasetException(where + ": field 'response' is missing");
            }
            if (!text.isTextual()) {
                throw new DatasetException(where + ": field 'response' must be a string, got " + text);
            }
            out.add(new Response(where, id.asText(), text.asText()));
        });
        if (out.isEmpty()) {
            throw new DatasetException(file + ": no responses (an empty file, or only blank lines)");
        }
        return out;
    }
}
