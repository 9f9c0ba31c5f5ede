package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;

/**
 * Property of the JSONL reader: whatever bytes a dataset file holds, reading it either returns
 * tasks that each have a non-blank prompt and pass the environment's checks, or fails with a
 * {@link DatasetException} naming the file (and, for a bad line, its line number) — never any
 * other exception.
 */
class DatasetsFuzzTest {
    @TempDir
    Path dir;

    private static final String[] VALID = {
        "{\"id\": \"a\", \"prompt\": \"3+4=\", \"answer\": 7}",
        "{\"prompt\": \"9-2=\", \"answer\": 7}",
        "{\"id\": 12, \"prompt\": \"1+1=\", \"answer\": 2, \"extra\": [1, {\"x\": null}]}",
    };

    /** Bytes that matter to a JSON parser (and to a line reader). */
    private static final String NOISE = "{}[]\",:\\\n\u0000\u00ff0e-";

    /** A file of valid lines, then mutated: bytes flipped, inserted, deleted, lines cut or duplicated. */
    private static byte[] mutated(SplittableRandom rng) {
        StringBuilder sb = new StringBuilder();
        int lines = 1 + rng.nextInt(4);
        for (int i = 0; i < lines; i++) {
            sb.append(VALID[rng.nextInt(VALID.length)]).append(rng.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        int edits = rng.nextInt(6);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rng.nextInt(b.length);
            switch (rng.nextInt(4)) {
                case 0 -> b[at] = (byte) rng.nextInt(256);
                case 1 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) NOISE.charAt(rng.nextInt(NOISE.length()));
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 2 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b = java.util.Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    @Test
    void anyBytesGiveTasksOrOneDatasetErrorNamingTheFile() throws IOException {
        Environment env = new Arithmetic(ArithmeticConfig.DEFAULT);
        SplittableRandom rng = new SplittableRandom(2026);
        int parsed = 0;
        int refused = 0;
        for (int trial = 0; trial < 2000; trial++) {
            Path f = dir.resolve("d" + trial + ".jsonl");
            Files.write(f, mutated(rng));
            try {
                List<Task> tasks = Datasets.read(f, env);
                for (Task t : tasks) {
                    assertTrue(t.prompt() != null && !t.prompt().isBlank(), "a task without a prompt from " + Files.readString(f));
                    assertTrue(t.fields().isObject());
                }
                parsed++;
            } catch (DatasetException e) {
                assertTrue(e.getMessage().startsWith(f.toString() + ":"), e.getMessage());
                assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
                refused++;
            } catch (RuntimeException e) {
                fail("trial " + trial + ": " + e + " for bytes " + java.util.Arrays.toString(Files.readAllBytes(f)), e);
            }
        }
        // Both outcomes are exercised, so the property is tested on each side.
        assertTrue(parsed > 100 && refused > 100, parsed + " parsed, " + refused + " refused");
    }
}
