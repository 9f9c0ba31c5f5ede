package sdpo4j.lm.decoding;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import sdpo4j.lm.model.GenerationConfig;

/**
 * The sampling settings a release ships in {@code generation_config.json}, applied under what the
 * user sets. transformers' {@code generate()} reads that file the same way: {@code do_sample}
 * false (or absent) means greedy whatever the temperature says; otherwise its temperature, top-k
 * and top-p. A directory without the file keeps this project's defaults.
 *
 * @param temperature null when neither the file nor the user sets it (and so for the others)
 */
public record GenerationDefaults(Double temperature, Integer topK, Double topP, Integer maxNewTokens) {
    public static final String FILE = GenerationConfig.FILE;
    static final GenerationDefaults NONE = new GenerationDefaults(null, null, null, null);

    /**
     * The settings of {@code dir/generation_config.json}; all null without the file. As in
     * transformers, {@code do_sample} false means greedy whatever the temperature says.
     */
    public static GenerationDefaults read(Path dir) {
        GenerationConfig c = GenerationConfig.read(dir);
        if (c == GenerationConfig.NONE) {
            return NONE;
        }
        boolean sample = c.doSample();
        return new GenerationDefaults(sample ? c.temperature() : Double.valueOf(0), sample ? c.topK() : null,
                sample ? c.topP() : null, c.maxNewTokens());
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

    /** Joins the entries {@link #resolve} collected into one line. */
    public static String describe(List<String> sources) {
        return "sampling: " + String.join(", ", sources);
    }
}
