package sdpo4j.lm.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;

/**
 * The {@code config.json} of a saved model: the source checkpoint's own file, byte for byte but
 * for its dtype ({@code torch_dtype}, and {@code dtype} as newer transformers write it), so that
 * every field this backend does not read (architectures, token ids, rope settings, versions)
 * survives fine-tuning. A model without a source file (made here) gets the config as
 * {@link ModelConfig#toJson} writes it.
 *
 * @param sourceText the source's config.json, or null
 * @param generated this backend's config.json for the model
 */
record SavedConfig(String sourceText, String generated) {
    private static final Pattern DTYPE = Pattern.compile("(\"(?:torch_dtype|dtype)\"\\s*:\\s*)(\"[^\"]*\"|null)");

    /** The source's config when it describes {@code model} (read back to the same fields), else none. */
    static SavedConfig of(ModelConfig model, Path sourceDir) {
        String generated = model.toJson();
        if (sourceDir == null || !Files.isRegularFile(sourceDir.resolve("config.json"))) {
            return new SavedConfig(null, generated);
        }
        ModelConfig source;
        try {
            source = ModelConfig.read(sourceDir);
        } catch (ModelException e) {
            return new SavedConfig(null, generated);
        }
        if (!source.equals(model)) {
            return new SavedConfig(null, generated);
        }
        try {
            return new SavedConfig(Files.readString(sourceDir.resolve("config.json")), generated);
        } catch (IOException e) {
            throw new ModelException(sourceDir.resolve("config.json") + ": cannot read: " + e.getMessage());
        }
    }

    /** {@code bfloat16} when the source says so, else {@code float32} (fp16 sources are saved in fp32: no loss). */
    String sourceDtype() {
        if (sourceText == null) {
            return "float32";
        }
        Matcher m = DTYPE.matcher(sourceText);
        while (m.find()) {
            if (m.group(2).equals("\"bfloat16\"")) {
                return "bfloat16";
            }
        }
        return "float32";
    }

    /** The file's text with {@code dtype} as its weights' dtype. */
    String text(String dtype) {
        String base = sourceText == null ? generated : sourceText;
        Matcher m = DTYPE.matcher(base);
        if (m.find()) {
            return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + "\"" + dtype + "\""));
        }
        try {
            ObjectNode o = (ObjectNode) new ObjectMapper().readTree(base);
            o.put("torch_dtype", dtype);
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (IOException | ClassCastException e) {
            throw new ModelException("config.json: cannot set its dtype: " + e.getMessage());
        }
    }
}
