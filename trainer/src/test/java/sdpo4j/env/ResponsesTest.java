package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponsesTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = dir.resolve("r.jsonl");
        Files.writeString(f, content);
        return f;
    }

    private String error(String content) throws IOException {
        Path f = file(content);
        return assertThrows(DatasetException.class, () -> Responses.read(f)).getMessage();
    }

    @Test
    void readsIdsAndTextsSkippingBlankLines() throws IOException {
        Path f = file("{\"id\":\"a\",\"response\":\"42\"}\n\n{\"id\":7,\"response\":\"\"}\n");
        List<Responses.Response> rs = Responses.read(f);
        assertEquals(List.of(new Responses.Response(f + ":1", "a", "42"), new Responses.Response(f + ":3", "7", "")), rs);
    }

    @Test
    void badLinesNameFileLineFieldAndReason() throws IOException {
        String f = dir.resolve("r.jsonl").toString();
        assertEquals(f + ":2: field 'response' is missing", error("{\"id\":\"a\",\"response\":\"1\"}\n{\"id\":\"b\"}\n"));
        assertEquals(f + ":1: field 'response' must be a string, got 5", error("{\"id\":\"a\",\"response\":5}\n"));
        assertEquals(f + ":1: field 'id' is missing (the task the response answers)", error("{\"response\":\"1\"}\n"));
        assertEquals(f + ":1: field 'id' must be a string or an integer, got [1]", error("{\"id\":[1],\"response\":\"1\"}\n"));
        assertTrue(error("{\"id\":\"a\",\"response\":\n").startsWith(f + ":1: not valid JSON: "));
        assertEquals(f + ": no responses (an empty file, or only blank lines)", error(""));
        assertEquals(dir.resolve("none.jsonl") + ": no such responses file",
                assertThrows(DatasetException.class, () -> Responses.read(dir.resolve("none.jsonl"))).getMessage());
    }
}
