package sdpo4j.lm.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import sdpo4j.lm.model.ModelException;

/**
 * The special tokens a release puts before a plain text (one not rendered by a chat template), as
 * {@code tokenizer(text)} in transformers does: Llama 3's {@code <|begin_of_text|>}, Gemma's
 * {@code <bos>}, nothing for Qwen. transformers (the {@code TokenizersBackend} of v5) takes them
 * from {@code tokenizer.json}'s post-processor, unless {@code tokenizer_config.json} sets
 * {@code add_bos_token} or {@code add_eos_token}, in which case it rebuilds the post-processor as
 * {@code [bos] $A [eos]} from those two flags (an unset one counting as false). The post-processor
 * is applied by the HuggingFace tokenizers library itself (through DJL), not re-implemented here:
 * what it adds is read off one probe encoding.
 *
 * <p>Text rendered by a chat template gets none of these ({@code apply_chat_template} tokenizes
 * with {@code add_special_tokens=False}: the template writes its own BOS), and the trailing EOS of
 * {@code add_eos_token} is not put after a prompt the model is to continue.
 *
 * @param prefix the ids before the text
 * @param suffix the ids {@code tokenizer(text)} puts after it (an EOS with {@code add_eos_token})
 * @param source where the rule came from, for the user
 */
record TextSpecials(long[] prefix, long[] suffix, String source) {
    private static final String PROBE = "Probe text";

    static TextSpecials of(HuggingFaceTokenizer hf, JsonNode tokenizerConfig, Path configFile) {
        if (tokenizerConfig != null && (tokenizerConfig.has("add_bos_token") || tokenizerConfig.has("add_eos_token"))) {
            long[] bos = flagged(hf, tokenizerConfig, configFile, "add_bos_token", "bos_token");
            long[] eos = flagged(hf, tokenizerConfig, configFile, "add_eos_token", "eos_token");
            return new TextSpecials(bos, eos, configFile.getFileName() + " add_bos_token/add_eos_token");
        }
        long[] plain = hf.encode(PROBE, false, false).getIds();
        long[] with = hf.encode(PROBE, true, false).getIds();
        for (int at = 0; at + plain.length <= with.length; at++) {
            if (Arrays.equals(with, at, at + plain.length, plain, 0, plain.length)) {
                return new TextSpecials(Arrays.copyOfRange(with, 0, at), Arrays.copyOfRange(with, at + plain.length, with.length),
                        "tokenizer.json post_processor");
            }
        }
        throw new ModelException(configFile.resolveSibling("tokenizer.json") + ": the post_processor changes the text's own "
                + "tokens (" + Arrays.toString(plain) + " became " + Arrays.toString(with) + "); only one that adds special "
                + "tokens around them is supported");
    }

    /** The token of {@code tokenKey} as one id when {@code flagKey} is true (and the token set), else none. */
    private static long[] flagged(HuggingFaceTokenizer hf, JsonNode config, Path file, String flagKey, String tokenKey) {
        JsonNode flag = config.get(flagKey);
        if (flag == null || flag.isNull()) {
            return new long[0];
        }
        if (!flag.isBoolean()) {
            throw new ModelException(file + ": key '" + flagKey + "': value " + flag + " is not allowed; allowed: true or false");
        }
        String token = Tokenizer.tokenText(config, tokenKey);
        // transformers drops the flag when the token is unset (an unset bos_token cannot be added).
        if (!flag.asBoolean() || token == null) {
            return new long[0];
        }
        long id = Tokenizer.singleId(hf, token);
        if (id < 0) {
            throw new ModelException(file + ": key '" + tokenKey + "': value \"" + token + "\" is not one token of tokenizer.json, "
                    + "so " + flagKey + " cannot add it");
        }
        return new long[] {id};
    }

    /** The ids of a plain text prompt: the prefix, then the text's own. */
    long[] beforeText(long[] text) {
        if (prefix.length == 0) {
            return text;
        }
        long[] out = Arrays.copyOf(prefix, prefix.length + text.length);
        System.arraycopy(text, 0, out, prefix.length, text.length);
        return out;
    }
}
