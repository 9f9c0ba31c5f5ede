package sdpo4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sdpo4j pretrain --if-missing} keeps a cached model only when it was pretrained with the
 * same options and the same teacher-context templates: the corpus teaches the model to read those
 * contexts, and a model cached under other templates would be shown contexts it never saw.
 */
class PretrainCacheTest {
    @TempDir
    Path tmp;

    private int pretrain(Path prompts, Path out) {
        return Main.execute(new String[] {"pretrain", "--if-missing", "--out", out.toString(), "--prompts-dir", prompts.toString(),
                "--layers", "1", "--hidden", "32", "--steps", "2", "--batch", "4", "--tasks", "8"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
    }

    @Test
    void aChangedTemplateRetrainsTheCachedModel() throws Exception {
        Path prompts = tmp.resolve("prompts/arithmetic");
        Files.createDirectories(prompts);
        Files.writeString(prompts.resolve("reprompt.txt"), "{prompt}{solution}{feedback}\nSolve it.");
        Files.writeString(prompts.resolve("solution.txt"), "\nS: {solution}");
        Files.writeString(prompts.resolve("feedback.txt"), "\nF: {feedback}");
        Path out = tmp.resolve("model");
        Path marker = out.resolve("pretrain.json");
        assertEquals(0, pretrain(tmp.resolve("prompts"), out));
        String first = Files.readString(marker);
        assertTrue(first.contains("Solve it."), first);

        assertEquals(0, pretrain(tmp.resolve("prompts"), out));
        assertEquals(first, Files.readString(marker), "same options and templates: the cached model is kept");

        Files.writeString(prompts.resolve("feedback.txt"), "\nFeedback: {feedback}");
        assertEquals(0, pretrain(tmp.resolve("prompts"), out));
        String retrained = Files.readString(marker);
        assertNotEquals(first, retrained);
        assertTrue(retrained.contains("Feedback: {feedback}"), retrained);
    }
}
