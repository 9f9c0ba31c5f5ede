package sdpo4j.env.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * Code tasks with unit tests (MBPP-style: {@code prompt}, {@code tests} as a list of Python
 * statements such as {@code assert f(2) == 4}, optional {@code entry_point}). The response's
 * code (the last fenced code block, or the whole response) runs in the {@link Sandbox}; reward
 * is 1 when every test passes. Feedback, in the style of the SDPO paper's code feedback, is the
 * first failing test with expected and actual values, or the error's type, message and line;
 * terse feedback says only that a test failed or that the program did not finish.
 */
public final class PythonTests implements Environment {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private static final String HARNESS = readHarness();
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;

    private final FeedbackDetail detail;

    /** With informative feedback (the failing test, expected and actual, the error's line). */
    public PythonTests(Sandbox sandbox, Sandbox.Limits limits) {
        this(sandbox, limits, FeedbackDetail.INFORMATIVE);
    }

    public PythonTests(Sandbox sandbox, Sandbox.Limits limits, FeedbackDetail detail) {
        this.sandbox = sandbox;
        this.limits = limits;
        this.detail = detail;
    }

    private static String readHarness() {
        try (InputStream in = PythonTests.class.getResourceAsStream("/sdpo4j/env/python/harness.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the python test harness is missing from the class path", e);
        }
    }

    @Override
    public String name() {
        return "python-tests";
    }

    @Override
    public void validate(Task task) {
        JsonNode tests = task.fields().get("tests");
        if (tests == null || !tests.isArray() || tests.isEmpty()) {
            throw new DatasetException.Field("tests", "must be a non-empty list of Python test statements, got " + tests);
        }
        for (JsonNode t : tests) {
            if (!t.isTextual() || t.asText().isBlank()) {
                throw new DatasetException.Field("tests", "must hold non-empty strings, got " + t);
            }
        }
        JsonNode entry = task.fields().get("entry_point");
        if (entry != null && !entry.isTextual()) {
            throw new DatasetException.Field("entry_point", "must be a string, got " + entry);
        }
    }

    /** The last fenced code block of a response, or the whole response when it has none. */
    static String code(String response) {
        String text = response == null ? "" : response;
        int end = text.lastIndexOf("```");
        if (end > 0) {
            int start = text.lastIndexOf("```", end - 1);
            if (start >= 0) {
                String block = text.substring(start + 3, end);
                int newline = block.indexOf('\n');
                // Drop a language tag such as "python" on the opening fence.
                return newline >= 0 && !block.substring(0, newline).contains(" ") ? block.substring(newline + 1) : block;
            }
        }
        return text;
    }

    @Override
    public Score score(Task task, String response) {
        Score s = informativeScore(task, response);
        if (detail == FeedbackDetail.INFORMATIVE || s.success()) {
            return s;
        }
        return new Score(s.reward(), false, s.feedback().startsWith("Test failed:") ? "A test failed."
                : "The program did not run to the end.");
    }

    private Score informativeScore(Task task, String response) {
        // A fresh secret per run: a result line the solution prints itself cannot carry it.
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String nonce = java.util.HexFormat.of().formatHex(secret);
        String marker = "SDPO4J_RESULT " + nonce + " ";
        Sandbox.Outcome out;
        try {
            out = sandbox.run(Map.of("harness.py", HARNESS, "solution.py", code(response), "nonce", nonce,
                    "tests.json", JSON.writeValueAsString(task.fields().get("tests"))), "harness.py", limits);
        } catch (IOException e) {
            throw new IllegalStateException("the sandbox could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running tests", e);
        }
        if (out.timedOut()) {
            return new Score(0, false, "Time limit exceeded: the program ran longer than " + limits.wallSeconds() + " s.");
        }
        if (out.outputCapped()) {
            return new Score(0, false, "Output limit exceeded: the program printed more than " + limits.maxOutputBytes() + " bytes.");
        }
        int at = out.output().lastIndexOf(marker);
        if (at < 0) {
            return new Score(0, false, crashFeedback(out));
        }
        JsonNode r;
        try {
            r = JSON.readTree(out.output().substring(at + marker.length()).strip());
        } catch (IOException e) {
            return new Score(0, false, crashFeedback(out));
        }
        return switch (r.path("status").asText()) {
            case "pass" -> new Score(1, true, "");
            case "fail" -> new Score(0, false, "Test failed: " + r.path("test").asText()
                    + (r.has("expected") ? "\nExpected: " + r.path("expected").asText() + "\nActual: " + r.path("actual").asText() : ""));
            default -> new Score(0, false, r.path("kind").asText() + ": " + r.path("message").asText()
                    + (r.hasNonNull("line") ? " (line " + r.path("line").asInt() + ")" : "")
                    + (r.has("test") ? "\nWhile running: " + r.path("test").asText() : ""));
        };
    }

    /** The program died before the harness could report: CPU or memory limit, or a kill. */
    private String crashFeedback(Sandbox.Outcome out) {
        String text = out.output();
        if (text.contains("MemoryError")) {
            return "MemoryError: the program used more than " + limits.memoryMiB() + " MiB.";
        }
        if (out.exitCode() == 137 || out.exitCode() == 152 || out.exitCode() == -1 || text.contains("CPU time limit")) {
            return "The program was killed (CPU time limit of " + limits.cpuSeconds() + " s or another resource limit).";
        }
        String tail = text.length() > 400 ? text.substring(text.length() - 400) : text;
        return "The program crashed (exit code " + out.exitCode() + "): " + tail.strip();
    }
}
