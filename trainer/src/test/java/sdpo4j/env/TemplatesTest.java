package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatesTest {
    @TempDir
    Path dir;

    private String loadError(String reprompt, String solution, String feedback) throws IOException {
        Path family = Files.createDirectories(dir.resolve("default"));
        Files.writeString(family.resolve("reprompt.txt"), reprompt);
        Files.writeString(family.resolve("solution.txt"), solution);
        Files.writeString(family.resolve("feedback.txt"), feedback);
        return assertThrows(DatasetException.class, () -> TeacherContexts.Templates.load(dir, "countdown")).getMessage();
    }

    @Test
    void aMisspelledPlaceholderIsRefusedWithItsFile() throws IOException {
        Path family = dir.resolve("default");
        assertEquals(family + "/reprompt.txt: the template has no {prompt} placeholder",
                loadError("{promt}{solution}{feedback}Solve it.", "S: {solution}", "F: {feedback}"));
        assertEquals(family + "/solution.txt: the template has no {solution} placeholder",
                loadError("{prompt}{solution}{feedback}Solve it.", "S: {soluton}", "F: {feedback}"));
        assertEquals(family + "/feedback.txt: the template has no {feedback} placeholder",
                loadError("{prompt}{solution}{feedback}Solve it.", "S: {solution}", "F:"));
    }

    @Test
    void theShippedTemplatesLoad() {
        TeacherContexts.Templates t = TeacherContexts.Templates.load(Path.of("../prompts"), "default");
        assertEquals("Q\n\nCorrect solution:\n\nA\n\nNow solve the original question correctly.",
                new TeacherContexts(t).render("Q", new TeacherContexts.Context("A", null)).strip());
        // Arithmetic's own, short: the built-in model's tokenizer spends a token per byte, and every
        // distinct feedback context is a teacher pass over all of it.
        TeacherContexts arithmetic = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic"));
        assertEquals("2+3=\nFeedback: The answer 4 is too small.\nSolve it correctly.",
                arithmetic.render("2+3=", new TeacherContexts.Context(null, "The answer 4 is too small.")));
        assertEquals("2+3=\nCorrect: 5\nSolve it correctly.", arithmetic.render("2+3=", new TeacherContexts.Context("5", null)));
    }
}
