package sdpo4j.lm.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A release's {@code generation_config.json}, read once and checked: the stop ids (the tokenizer
 * joins them to its EOS ids) and the sampling settings (the generator uses them under the
 * user's). Here beside {@link ModelFiles} because both the tokenizer ({@code lm.text}) and the
 * generator ({@code lm.decoding}) read it, and the text package cannot depend on decoding.
 *
 * @param eosTokenIds the ids of {@code eos_token_id} (an integer or a list of them); empty when unset
 * @param doSample {@code do_sample}; false when unset (transformers' default: greedy)
 * @param temperature null when unset (and so for the other settings)
 */
public record GenerationConfig(List<Long> eosTokenIds, boolean doSample, Double temperature, Integer topK, Double topP,
        Integer maxNewTokens) {
    public static final String FILE = "generation_config.json";
    /** A directory without the file. */
    public static final GenerationConfig NONE = new GenerationConfig(List.of(), false, null, null, null, null);

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** {@code dir/generation_config.json}, or {@link #NONE} without it; a malformed setting names the file and key. */
    public static GenerationConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode c = ModelFiles.readOptional(file);
        if (c == null) {
            return NONE;
        }
        return new GenerationConfig(eosIds(file, c), c.path("do_sample").asBoolean(false), number(file, c, "temperature"),
                integer(file, c, "top_k"), number(file, c, "top_p"), integer(file, c, "max_new_tokens"));
    }

    private static List<Long> eosIds(Path file, JsonNode c) {
        List<Long> ids = new ArrayList<>();
        JsonNode n = c.get("eos_token_id");
        if (n == null || n.isNull()) {
            return ids;
        }
        for (JsonNode id : n.isArray() ? n : List.of(n)) {
            if (!id.canConvertToLong() || !id.isIntegralNumber() || id.asLong() < 0) {
                throw new ModelException(file + ": key 'eos_token_id': value " + n + " is not allowed; allowed: a token id "
                        + "or a list of token ids (non-negative integers)");
            }
            ids.add(id.asLong());
        }
        return ids;
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
}
