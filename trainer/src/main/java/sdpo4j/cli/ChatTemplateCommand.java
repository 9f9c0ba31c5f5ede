package sdpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.ChatOptions;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;

/**
 * {@code sdpo4j chat-template}: the prompt a model directory's chat template makes of a
 * conversation, exactly as {@code apply_chat_template(messages, tokenize=False)} returns it, or
 * its token ids; users need it to see what their model is trained on. Reads no weights.
 */
@Command(name = "chat-template", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Print a conversation rendered by a model directory's chat template (UTF-8, byte for byte,"
                + " no newline added), or its token ids.")
public final class ChatTemplateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "Model directory with tokenizer_config.json.")
    Path modelDir;

    @Option(names = "--messages", required = true, paramLabel = "FILE.json",
            description = "The conversation: a JSON list of {\"role\": ..., \"content\": ...} objects.")
    Path messagesFile;

    @Option(names = "--no-generation-prompt", description = "Leave out the assistant header a reply would follow.")
    boolean noGenerationPrompt;

    @Option(names = "--ids", description = "Print the token ids of the render (needs tokenizer.json and config.json).")
    boolean ids;

    @Option(names = "--var", paramLabel = "NAME=VALUE",
            description = "An extra template variable, e.g. enable_thinking=false; VALUE is read as JSON when it is"
                    + " JSON, else as a string (repeatable).")
    List<String> vars = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        List<ChatTemplate.Message> messages = readMessages(messagesFile);
        Map<String, Object> variables = ChatOptions.parseVariables("--var", vars);
        String text;
        if (ids) {
            try (Tokenizer tok = Tokenizer.load(modelDir, ModelConfig.read(modelDir))) {
                long[] tokens = tok.encodeRendered(tok.render(messages, !noGenerationPrompt, variables));
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < tokens.length; i++) {
                    sb.append(i > 0 ? ", " : "").append(tokens[i]);
                }
                text = sb.append("]\n").toString();
            }
        } else {
            text = ChatTemplate.load(modelDir).render(messages, !noGenerationPrompt, variables);
        }
        write(text.getBytes(StandardCharsets.UTF_8));
        return 0;
    }

    private void write(byte[] bytes) {
        try {
            if (output != null) {
                Files.write(output, bytes);
            } else {
                // Bytes, not a PrintWriter: the platform charset could mangle what the model would see.
                OutputStream out = new FileOutputStream(FileDescriptor.out);
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw ConfigException.general(file.toString(), "not a readable JSON file: " + e.getMessage());
        }
    }

    static List<ChatTemplate.Message> readMessages(Path file) {
        JsonNode root = readJson(file);
        if (root == null || !root.isArray()) {
            throw ConfigException.general(file.toString(), "expected a JSON list of {\"role\", \"content\"} objects");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (JsonNode m : root) {
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw ConfigException.general(file.toString(), "each message needs a string role and a string content, got " + m);
            }
            out.add(new ChatTemplate.Message(role.asText(), content.asText()));
        }
        return out;
    }
}
