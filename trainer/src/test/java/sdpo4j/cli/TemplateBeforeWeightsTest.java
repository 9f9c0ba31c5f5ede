package sdpo4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;

/**
 * The tokenizer and the chat template are checked before any weight is read: a model directory
 * whose template is broken and whose weights are unreadable reports the template, in one line
 * with the file and the template line, from every command that opens it. The order is proven by
 * which error wins, not by timing.
 */
class TemplateBeforeWeightsTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    /** A tiny model whose weights file is garbage (a header length of about 9 EB). */
    private Path brokenWeights() throws Exception {
        Path model = dir.resolve("model");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
        }
        byte[] junk = new byte[64];
        java.util.Arrays.fill(junk, (byte) 0x7F);
        Files.write(model.resolve("model.safetensors"), junk);
        return model;
    }

    private String run(String... args) {
        int rc = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        String text = err.toString().strip();
        err.getBuffer().setLength(0);
        assertEquals(Main.USER_ERROR, rc, text);
        assertFalse(text.contains("\n"), "one line expected: " + text);
        return text;
    }

    private List<String> commands(Path model) throws Exception {
        Path data = dir.resolve("d.jsonl");
        Files.writeString(data, "{\"prompt\":\"1+1=\",\"answer\":2}\n");
        List<String> train = new ArrayList<>(List.of("train", "--runs-dir", dir.resolve("runs").toString(), "--name", "r"));
        for (String s : List.of("model=" + model, "dataset=" + data, "prompts-dir=../prompts", "steps=1", "eval.dataset=",
                "prompts=1", "group-size=2", "max-new-tokens=2")) {
            train.addAll(List.of("--set", s));
        }
        return List.of(String.join("\u0000", "generate", model.toString(), "--chat", "hi"), String.join("\u0000", train));
    }

    @Test
    void aTemplateThatDoesNotParseIsReportedInsteadOfTheWeights() throws Exception {
        Path model = brokenWeights();
        // chat_template.jinja overrides tokenizer_config.json's template, as in transformers.
        Files.writeString(model.resolve("chat_template.jinja"), "{% for m in messages %}\n{{ m.content }}\n{% if x %}\n{% endfor %}\n");
        for (String cmd : commands(model)) {
            String line = run(cmd.split("\u0000"));
            assertTrue(line.startsWith("error: " + model.resolve("chat_template.jinja") + ": chat template cannot be rendered"
                    + " (template line "), line);
            assertFalse(line.contains("safetensors"), line);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ModelException e = assertThrows(ModelException.class, () -> HfCheckpoint.load(model, m));
            assertTrue(e.getMessage().contains("chat_template.jinja"), e.getMessage());
        }
    }

    @Test
    void aTemplateRefusingOneUserMessageFailsWithItsOwnMessage() throws Exception {
        Path model = brokenWeights();
        Path config = model.resolve("tokenizer_config.json");
        Files.writeString(config, Files.readString(config).replaceAll("\"chat_template\" : \".*\"",
                "\"chat_template\" : \"{%- if messages[0].role != 'system' %}\\\\n{{- raise_exception('A system message is required') }}"
                        + "{%- endif %}\""));
        for (String cmd : commands(model)) {
            assertEquals("error: " + config + ": the chat template refuses a single user message (template line 2):"
                    + " A system message is required", run(cmd.split("\u0000")));
        }
    }

    @Test
    void withAGoodTemplateTheWeightsAreTheError() throws Exception {
        // The control: the same directory with its template intact fails on the weights, so the
        // cases above fail on the template because it is read first, not because weights are never read.
        Path model = brokenWeights();
        for (String cmd : commands(model)) {
            String line = run(cmd.split("\u0000"));
            assertTrue(line.contains("model.safetensors"), line);
        }
    }
}
