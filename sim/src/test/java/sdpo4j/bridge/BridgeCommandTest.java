package sdpo4j.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.Main;

/** {@code sdpo4j bridge} end to end on a tiny setting, and its refusals. */
class BridgeCommandTest {
    @TempDir
    Path dir;

    private String[] args(String name, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("bridge", "--quick", "--runs-dir", dir.toString(), "--name", name,
                "--set", "prompts-dir=../prompts", "--set", "seeds=1", "--set", "steps=2", "--set", "final-window=1",
                "--set", "pretrain.steps=3", "--set", "pretrain.examples-per-world=40", "--set", "teacher-check=4",
                "--set", "sim-steps=6", "--set", "sim-final-window=2", "--set", "noise-levels=[0.0, 0.5]"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void aTinyBridgeWritesTheReportWithEveryFinding() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args("tiny"), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        Path run = dir.resolve("tiny");
        for (String f : List.of("config.yaml", "report.md", "curves.png", "teacher-fit.png", "runs.json", "model/config.json",
                "model/model.safetensors", "model/tokenizer.json")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        String report = Files.readString(run.resolve("report.md"));
        for (String finding : List.of("SDPO beats REINFORCE on reward (binary)", "follows the true advantage (critique)",
                "improves with richer feedback", "SDPO lowers entropy (ordinal)", "most under binary feedback",
                "Noise costs SDPO little (sigma 0.50)", "hybrid keeps more entropy than SDPO (critique)")) {
            assertTrue(report.contains(finding), finding + " missing from\n" + report);
        }
        assertTrue(report.contains("| plain |") && report.contains("| critique |"), report);
        JsonNode runs = new ObjectMapper().readTree(run.resolve("runs.json").toFile());
        // (12 table cells + 3 noisy + 6 hybrid) x 1 seed, each on both sides.
        assertEquals((12 + 3 + 6) * 2, runs.size());
        for (JsonNode r : runs) {
            JsonNode reward = r.get("reward");
            assertEquals(r.get("side").asText().equals("lm") ? 2 : 6, reward.size());
            for (JsonNode x : reward) {
                assertTrue(x.isNumber() && x.asDouble() >= 0 && x.asDouble() <= 1, r.toString());
            }
        }
    }

    @Test
    void aLaterBridgeReusesTheLearnedTeacherOnlyWhenItWouldHavePretrainedTheSame() throws IOException {
        StringWriter err = new StringWriter();
        assertEquals(0, Main.execute(args("first", "--set", "sets=[hybrid]"), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true)), err.toString());
        Path model = dir.resolve("first/model");
        StringWriter err2 = new StringWriter();
        assertEquals(0, Main.execute(args("sgd", "--set", "sets=[hybrid]", "--set", "optimizer=sgd", "--set", "lr=0.1",
                "--model", model.toString()), new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true)), err2.toString());
        String report = Files.readString(dir.resolve("sgd/report.md"));
        assertTrue(report.contains("plain gradient descent") && report.contains("reused from " + model), report);
        // The same model, so the same fit to the analytic teacher.
        String first = Files.readString(dir.resolve("first/report.md"));
        assertEquals(section(first, "| binary |"), section(report, "| binary |"));
        // Other pretraining settings would have made another model: refused before any work.
        StringWriter err3 = new StringWriter();
        assertEquals(2, Main.execute(args("other", "--set", "pretrain.steps=4", "--model", model.toString()),
                new PrintWriter(new StringWriter(), true), new PrintWriter(err3, true)));
        assertTrue(err3.toString().startsWith("error: ") && err3.toString().contains("pretrained with the same"), err3.toString());
        assertTrue(Files.notExists(dir.resolve("other")));
    }

    private static String section(String report, String rowStart) {
        return report.lines().filter(l -> l.startsWith(rowStart)).findFirst().orElseThrow();
    }

    @Test
    void aBadSettingIsOneLineAndLeavesNothing() throws IOException {
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"bridge", "--runs-dir", dir.toString(), "--set", "model.heads=3"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertEquals(2, code);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("heads") && err.toString().contains("a divisor of hidden (64)"), err.toString());
        StringWriter err2 = new StringWriter();
        int code2 = Main.execute(new String[] {"bridge", "--runs-dir", dir.toString(), "--set", "sets=[bias]"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true));
        assertEquals(2, code2);
        assertTrue(err2.toString().contains("method-feedback, noise, hybrid"), err2.toString());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "a rejected config leaves nothing behind");
        }
    }
}
