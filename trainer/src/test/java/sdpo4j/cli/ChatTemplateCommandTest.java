package sdpo4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.TinyModels;

/** {@code sdpo4j chat-template}: the render byte for byte (against a Jinja2 golden), its ids, its errors. */
class ChatTemplateCommandTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    }

    private static JsonNode golden(String family, String name) throws Exception {
        try (InputStream in = ChatTemplateCommandTest.class.getResourceAsStream("/chat-templates/" + family + "/goldens.json")) {
            for (JsonNode c : new ObjectMapper().readTree(in).get("cases")) {
                if (c.get("name").asText().equals(name)) {
                    return c;
                }
            }
        }
        throw new AssertionError(name);
    }

    private Path modelDir(String family) throws Exception {
        Path model = Files.createDirectories(dir.resolve(family));
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/" + family + "/tokenizer_config.json")) {
            Files.copy(in, model.resolve("tokenizer_config.json"));
        }
        return model;
    }

    private Path messages(JsonNode c) throws Exception {
        Path file = dir.resolve("messages.json");
        Files.writeString(file, c.get("messages").toString());
        return file;
    }

    @Test
    void printsTheRenderByteForByte() throws Exception {
        JsonNode c = golden("qwen3", "thinking_history/gen=True/enable_thinking=False");
        Path out = dir.resolve("out.txt");
        assertEquals(0, run("chat-template", modelDir("qwen3").toString(), "--messages", messages(c).toString(),
                "--var", "enable_thinking=false", "--output", out.toString()), err.toString());
        assertEquals(c.get("output").asText(), Files.readString(out, StandardCharsets.UTF_8));

        JsonNode plain = golden("llama3.2", "unicode_and_braces/gen=False");
        // Llama 3.2 prints today's date: compare everything but that line.
        assertEquals(0, run("chat-template", modelDir("llama3.2").toString(), "--messages", messages(plain).toString(),
                "--no-generation-prompt", "--output", out.toString()), err.toString());
        String want = plain.get("output").asText().replaceAll("Today Date: [^\n]*", "");
        assertEquals(want, Files.readString(out, StandardCharsets.UTF_8).replaceAll("Today Date: [^\n]*", ""));
    }

    @Test
    void aTemplatesOwnErrorIsOneLine() throws Exception {
        JsonNode c = golden("gemma3", "two_users_in_a_row/gen=True");
        assertEquals(Main.USER_ERROR, run("chat-template", modelDir("gemma3").toString(), "--messages", messages(c).toString()));
        assertEquals("error: " + dir.resolve("gemma3/tokenizer_config.json") + ": the chat template refuses this conversation"
                + " (template line 19): " + c.get("error").asText(), err.toString().strip());
    }

    @Test
    void idsAreTheTokenizersEncodingOfTheRender() throws Exception {
        Path model = dir.resolve("tiny");
        Path out = dir.resolve("ids.txt");
        JsonNode c = golden("qwen3", "multi_turn/gen=True");
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM lm = TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
            assertEquals(0, run("chat-template", model.toString(), "--messages", messages(c).toString(), "--ids",
                    "--output", out.toString()), err.toString());
            try (Tokenizer tok = Tokenizer.load(model, lm.config())) {
                List<ChatTemplate.Message> msgs = ChatTemplateCommand.readMessages(dir.resolve("messages.json"));
                long[] ids = tok.encode(tok.render(msgs, true));
                String text = Files.readString(out);
                assertTrue(text.endsWith("]\n"));
                assertEquals(java.util.Arrays.toString(ids) + "\n", text);
            }
        }
    }
}
