package sdpo4j.env;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JSONL datasets: one task per line, a JSON object with a {@code prompt} (a non-empty string, or a
 * conversation: {@link Conversations}), an optional string {@code id}, and the fields the
 * environment needs. The whole file is read and validated before anything trains; the first bad
 * line stops it with file, line, field and reason.
 */
public final class Datasets {
    /** Longer lines are refused: a task is a prompt and a few fields, not a corpus. */
    public static final int MAX_LINE_CHARS = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Datasets() {}

    public static List<Task> read(Path file, Environment env) {
        List<Task> tasks = new ArrayList<>();
        forEachLine(file, "dataset", (lineNo, line) -> tasks.add(parse(file, lineNo, line, env)));
        if (tasks.isEmpty()) {
            throw new DatasetException(file + ": the dataset has no tasks (an empty file, or only blank lines)");
        }
        return tasks;
    }

    /** Receives one non-blank line of a JSONL file and its 1-based number. */
    interface LineHandler {
        void accept(int lineNo, String line);
    }

    /**
     * Feeds each non-blank line of a UTF-8 JSONL file to {@code handler}; unreadable files, bad
     * UTF-8 and overlong lines fail with the file and line ({@code what} names the file's role).
     */
    static void forEachLine(Path file, String what, LineHandler handler) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int lineNo = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            while ((line = readBounded(in, file, lineNo + 1)) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    handler.accept(lineNo, line);
                }
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such " + what + " file");
        } catch (CharacterCodingException e) {
            throw new DatasetException(file + ":" + (lineNo + 1) + ": not valid UTF-8 text");
        } catch (IOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new DatasetException(file + ":" + (lineNo + 1) + ": not valid UTF-8 text");
            }
            throw new DatasetException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** One line, refusing lines over {@link #MAX_LINE_CHARS} without reading them whole. */
    private static String readBounded(BufferedReader in, Path file, int lineNo) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        boolean any = false;
        while ((c = in.read()) >= 0) {
            any = true;
            if (c == '\n') {
                break;
            }
            if (sb.length() >= MAX_LINE_CHARS) {
                throw new DatasetException(file + ":" + lineNo + ": line longer than " + MAX_LINE_CHARS + " characters");
            }
            sb.append((char) c);
        }
        return any ? sb.toString() : null;
    }

    static Task parse(Path file, int lineNo, String line, Environment env) {
        String where = file + ":" + lineNo;
        JsonNode node = parseObject(where, line);
        JsonNode prompt = node.get("prompt");
        if (prompt == null) {
            throw new DatasetException(where + ": field 'prompt' is missing");
        }
        if (!prompt.isArray() && (!prompt.isTextual() || prompt.asText().isBlank())) {
            throw new DatasetException(where + ": field 'prompt' must be a non-empty string or a conversation (a list of "
                    + "{\"role\", \"content\"} turns ending with a user turn), got " + prompt);
        }
        JsonNode id = node.get("id");
        checkId(where, id);
        String name = id == null ? file.getFileName() + ":" + lineNo : id.asText();
        try {
            Task task;
            if (prompt.isArray()) {
                List<sdpo4j.lm.text.ChatTemplate.Message> turns = Conversations.parse(prompt);
                task = new Task(name, turns.get(turns.size() - 1).content(), node, turns.subList(0, turns.size() - 1));
            } else {
                task = new Task(name, prompt.asText(), node);
            }
            env.validate(task);
            return task;
        } catch (DatasetException.Field f) {
            throw new DatasetException(where + ": field '" + f.field + "' " + f.getMessage());
        }
    }

    /** The JSON object on one line, or a failure naming {@code where}. */
    static JsonNode parseObject(String where, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DatasetException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new DatasetException(where + ": each line must be a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        return node;
    }

    static void checkId(String where, JsonNode id) {
        if (id != null && !id.isTextual() && !id.isIntegralNumber()) {
            throw new DatasetException(where + ": field 'id' must be a string or an integer, got " + id);
        }
    }

    /** Writes tasks as JSONL (the generators' output). */
    public static void write(Path file, List<? extends Object> lines) {
        StringBuilder sb = new StringBuilder();
        try {
            for (Object o : lines) {
                sb.append(JSON.writeValueAsString(o)).append('\n');
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        sdpo4j.run.AtomicFiles.writeString(file, sb.toString());
    }
}
