package sdpo4j.lm.text;

import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.model.ModelFiles;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model directory's tokenizer: DJL's HuggingFace tokenizer on the local {@code tokenizer.json}
 * (no network), with explicit options (no truncation, no padding, no special tokens added:
 * prompts are rendered by the chat template, which places them), and the chat template from
 * {@code tokenizer_config.json}.
 */
public final class Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer hf;
    private final ChatTemplate template;
    /** The prompt of one user turn under this tokenizer's chat options. */
    private final ChatTemplate.UserTurns userTurns;
    private final ChatOptions options;
    private final List<Long> eosIds;
    private final long padId;
    private final int idBound;

    private Tokenizer(HuggingFaceTokenizer hf, ChatTemplate template, ChatOptions options, List<Long> eosIds, long padId,
            int idBound) {
        this.idBound = idBound;
        this.hf = hf;
        this.template = template;
        this.userTurns = template.userTurns(options);
        this.options = options;
        this.eosIds = List.copyOf(eosIds);
        this.padId = padId;
    }

    /** Loads {@code dir/tokenizer.json} (and {@code tokenizer_config.json} when present), prompts without options. */
    public static Tokenizer load(Path dir, ModelConfig model) {
        return load(dir, model, ChatOptions.NONE);
    }

    /** The same, every user turn rendered with {@code options} (a system turn, template variables). */
    public static Tokenizer load(Path dir, ModelConfig model, ChatOptions options) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelException(dir + ": no tokenizer.json (only HuggingFace fast tokenizers are supported)");
        }
        // The template first: a broken one fails in milliseconds, before the vocabulary and the weights.
        ChatTemplate template = ChatTemplate.load(dir).check();
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false", "truncation", "false",
                    "padding", "false", "modelMaxLength", String.valueOf(1 << 20)));
        } catch (IOException | RuntimeException e) {
            throw new ModelException(file + ": cannot load the tokenizer: " + e.getMessage());
        }
        JsonNode config = ModelFiles.readOptional(dir.resolve("tokenizer_config.json"));
        List<Long> eos = new ArrayList<>();
        model.eosTokenIds().forEach(i -> eos.add((long) i));
        // generate() in transformers stops on every id of generation_config.json's eos_token_id
        // (Llama 3 Instruct lists <|eot_id|> there beside config.json's <|end_of_text|>).
        for (long id : generationEosIds(dir.resolve("generation_config.json"))) {
            if (!eos.contains(id)) {
                eos.add(id);
            }
        }
        String eosToken = tokenText(config, "eos_token");
        if (eos.isEmpty() && eosToken != null) {
            long id = singleId(hf, eosToken);
            if (id >= 0) {
                eos.add(id);
            }
        }
        String padToken = tokenText(config, "pad_token");
        long pad = padToken == null ? -1 : singleId(hf, padToken);
        if (pad < 0) {
            pad = eos.isEmpty() ? 0 : eos.get(0);
        }
        int size = idBound(file);
        Tokenizer t;
        try {
            t = new Tokenizer(hf, template, options, eos, pad, size);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
        if (size > model.vocabSize()) {
            t.close();
            throw new ModelException(file + ": the tokenizer has ids up to " + (size - 1) + " but the model's vocab_size is "
                    + model.vocabSize() + " (tokenizer and model do not match)");
        }
        return t;
    }

    /** The ids of {@code eos_token_id} (an integer or a list of them) in generation_config.json; none without the file. */
    static List<Long> generationEosIds(Path file) {
        JsonNode config = ModelFiles.readOptional(file);
        List<Long> ids = new ArrayList<>();
        JsonNode n = config == null ? null : config.get("eos_token_id");
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

    private static String tokenText(JsonNode config, String key) {
        if (config == null || !config.has(key) || config.get(key).isNull()) {
            return null;
        }
        JsonNode n = config.get(key);
        return n.isTextual() ? n.asText() : n.path("content").asText(null);
    }

    private static long singleId(HuggingFaceTokenizer hf, String token) {
        long[] ids = hf.encode(token, false, false).getIds();
        return ids.length == 1 ? ids[0] : -1;
    }

    /** One past the largest id in the vocabulary and added tokens of {@code tokenizer.json}. */
    private static int idBound(Path file) {
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(file));
            int max = -1;
            for (JsonNode id : root.path("model").path("vocab")) {
                max = Math.max(max, id.asInt());
            }
            for (JsonNode t : root.path("added_tokens")) {
                max = Math.max(max, t.path("id").asInt());
            }
            return max + 1;
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** One past the largest id the tokenizer can produce. */
    public int idBound() {
        return idBound;
    }

    public long[] encode(String text) {
        java.util.Objects.requireNonNull(text, "text");
        // DJL's encode reads every field of the encoding back into Java (token strings, character
        // spans, masks, type and word ids): 137 us for a 100-character teacher context, of which the
        // native encoding is 52 us (measured). The same native call, then only the ids.
        long encoding = TokenizersLibrary.LIB.encode(hf.getHandle(), text, false);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    public String decode(long[] ids) {
        return hf.decode(ids, true);
    }

    /** Decodes keeping special tokens (for showing exactly what the model saw). */
    public String decodeRaw(long[] ids) {
        return hf.decode(ids, false);
    }

    public List<Long> eosIds() {
        return eosIds;
    }

    public long padId() {
        return padId;
    }

    /** The prompt text for a conversation, through the chat template or the plain format. */
    public String render(List<ChatTemplate.Message> messages, boolean addGenerationPrompt) {
        return template.render(messages, addGenerationPrompt);
    }

    /** The same with extra template variables (Qwen3's {@code enable_thinking}). */
    public String render(List<ChatTemplate.Message> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        return template.render(messages, addGenerationPrompt, variables);
    }

    /**
     * The ids a model sees for one user turn: the chat template with this tokenizer's system turn and
     * variables and the generation prompt, encoded.
     */
    public long[] encodeUserTurn(String userTurn) {
        return encode(userTurns.render(userTurn));
    }

    /**
     * The ids a model sees for a conversation of user and assistant turns (a multi-turn prompt):
     * this tokenizer's system turn first, its template variables, the generation prompt last.
     */
    public long[] encodeConversation(List<ChatTemplate.Message> turns) {
        List<ChatTemplate.Message> all = new ArrayList<>();
        if (!options.systemPrompt().isEmpty()) {
            all.add(new ChatTemplate.Message("system", options.systemPrompt()));
        }
        all.addAll(turns);
        return encode(template.render(all, true, options.variables()));
    }

    /** The text {@link #encodeUserTurn} encodes. */
    public String renderUserTurn(String userTurn) {
        return userTurns.render(userTurn);
    }

    @Override
    public void close() {
        hf.close();
    }
}
