package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a model directory's chat template is found: chat_template.jinja over tokenizer_config.json's
 * {@code chat_template}, chat_template.json (a processor's) only when neither has one; the special
 * tokens come from tokenizer_config.json whichever file holds the template.
 */
class ChatTemplateFilesTest {
    @TempDir
    Path dir;

    private static final List<ChatTemplate.Message> HI = List.of(new ChatTemplate.Message("user", "hi"));

    private String render() {
        return ChatTemplate.load(dir).check().render(HI, true);
    }

    @Test
    void theJinjaFileOverridesTheConfigAndTheProcessorFileIsTheLastResort() throws Exception {
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"json:{{ messages[0].content }}\"}");
        assertEquals("json:hi", render());
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": \"<s>\", \"chat_template\": \"config:{{ bos_token }}{{ messages[0].content }}\"}");
        assertEquals("config:<s>hi", render());
        Files.writeString(dir.resolve("chat_template.jinja"), "jinja:{{ bos_token }}{{ messages[0]['content'] }}\n");
        // The file's single trailing newline is dropped, as Jinja2 does (keep_trailing_newline is off).
        assertEquals("jinja:<s>hi", render());
    }

    @Test
    void noTemplateAnywhereIsThePlainFormat() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertTrue(ChatTemplate.load(dir).isPlain());
        assertEquals("user: hi\nassistant: ", render());
    }
}
