package sdpo4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    @Test
    void generatedSplitsHaveTheAskedSizesAndPassTheCheck() throws IOException {
        Path out = dir.resolve("cd");
        assertEquals(0, run("data", "generate", "--env", "countdown", "--out", out.toString(), "--train", "5", "--test", "3"));
        assertEquals(5, Files.readAllLines(out.resolve("train.jsonl")).size());
        assertEquals(3, Files.readAllLines(out.resolve("test.jsonl")).size());
        assertEquals(0, run("data", "check", "--env", "countdown", out.resolve("test.jsonl").toString()), err.toString());
    }

    @Test
    void emptySplitsAreRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("none");
        assertEquals(Main.USER_ERROR, run("data", "generate", "--out", out.toString(), "--train", "0"));
        assertTrue(err.toString().contains("'--train'"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void responsesToUnknownTasksAreNamed() throws IOException {
        Path out = dir.resolve("ar");
        assertEquals(0, run("data", "generate", "--out", out.toString(), "--train", "2", "--test", "1"));
        Path responses = dir.resolve("r.jsonl");
        Files.writeString(responses, "{\"id\":\"train-0\",\"response\":\"3\"}\n{\"id\":\"nope\",\"response\":\"3\"}\n");
        assertEquals(Main.USER_ERROR, run("env", "check", out.resolve("train.jsonl").toString(), responses.toString()));
        assertTrue(err.toString().contains(responses + ":2: field 'id' names no task of"), err.toString());
    }
}
