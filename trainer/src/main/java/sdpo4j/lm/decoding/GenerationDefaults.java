package sdpo4j.lm.decoding;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.model.ModelFiles;

/**
 * The sampling settings a release ships in {@code generation_config.json}, applied under what the
 * user sets. transformers' {@code generate()} reads that file the same way: {@code do_sample}
 * false (or absent) means greedy whatever the temperature says; otherwise its temperature, top-k
 * and top-p. A directory without the file keeps this project's defaults.
 *
 * @param temperature null when neither the file nor the user sets it (and so for the others)
 */
public record GenerationDefaults(Double temperature, Integer topK, Double topP, Integer maxNewTokens) {
    public static final String FILE = "generation_config.json";
    static final GenerationDefaults NONE = new GenerationDefaults(null, null, null, null);

    /** The settings of {@code dir/generation_config.json}; all null without the file. */
    public static GenerationDefaults read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode c = ModelFiles.readOptional(file);
        if (c == null) {
            return NONE;
        }
        boolean sample = c.path("do_sample").asBoolean(false);
        Double temperature = sample ? number(file, c, "temperature") : Double.valueOf(0);
        Integer topK = sample ? integer(file, c, "top_k") : null;
        Double topP = sample ? number(file, c, "top_p") : null;
        return new GenerationDefaults(temperature, topK, topP, integer(file, c, "max_new_tokens"));
    }

    /**
     * The settings to sample with: the user's where given, else this file's, else the fallback's;
     * {@code sources} receives one "name value (where)" entry per setting, for the user to see.
     */
    public SamplingConfig.Builder resolve(Double userTemperature, Integer userTopK, Double userTopP, Integer userMaxNewTokens,
            SamplingConfig fallback, List<String> sources) {
        SamplingConfig.Builder b = fallback.toBuilder();
        b.temperature(pick("temperature", userTemperature, temperature, fallback.temperature(), sources));
        b.topK(pick("top-k", userTopK, topK, fallback.topK(), sources));
        b.topP(pick("top-p", userTopP, topP, fallback.topP(), sources));
        b.maxNewTokens(pick("max-new-tokens", userMaxNewTokens, maxNewTokens, fallback.maxNewTokens(), sources));
        return b;
    }

    private static <T> T pick(String name, T user, T file, T fallback, List<String> sources) {
        T v = user != null ? user : file != null ? file : fallback;
        String where = user != null ? "command line" : file != null ? FILE : "default";
        sources.add(String.format(Locale.ROOT, "%s %s (%s)", name, v, where));
        return v;
    }

    private static Double number(Path file, JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new ModelException(file + ": key '" + key + "': value " + n + " is not allowed; allowed: a number");
        }
        return n.asDouble();
    }

    private static Integer integer(Path file, JsonNode c, String key) {
        JsonNode n = c.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw new ModelException(file + ": key '" + key + "': value " + n + " is not allowed; allowed: an integer");
        }
        return n.asInt();
    }

    /** Joins the entries {@link #resolve} collected into one line. */
    public static String describe(List<String> sources) {
        return "sampling: " + String.join(", ", sources);
    }
}
