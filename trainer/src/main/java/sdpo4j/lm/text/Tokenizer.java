package sdpo4j.lm.text;

import sdpo4j.lm.model.GenerationConfig;
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
 * (no network), with explicit options (no truncation, no padding), and the chat template from
 * {@code tokenizer_config.json}. Special tokens follow transformers: a chat-rendered prompt gets
 * none added (the template writes them, as {@code apply_chat_template} tokenizes with
 * {@code add_special_tokens=False}); a plain text prompt gets the release's BOS rule
 * ({@link TextSpecials}); added tokens ({@code <|im_start|>}) are one id each, and
 * {@link #decode} drops those marked {@code special}.
 */
public final class Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer hf;
    private final ChatTemplate template;
    /** The prompt of one user turn under this tokenizer's chat options. */
    private final ChatTemplate.UserTurns userTurns;
    private final ChatOptions options;
    private final List<Long> eosIds;
    private final long answerEndId;
    private final long padId;
    private final int idBound;
    private final TextSpecials textSpecials;
    /** Added tokens with no row in the model's embedding (Gemma 3's image token), by id: refused when encoded. */
    private final Map<Long, String> pastModel;

    private Tokenizer(HuggingFaceTokenizer hf, ChatTemplate template, ChatOptions options, List<Long> eosIds, long answerEndId,
            long padId, int idBound, TextSpecials textSpecials, Map<Long, String> pastModel) {
        this.pastModel = Map.copyOf(pastModel);
        this.answerEndId = answerEndId;
        this.idBound = idBound;
        this.textSpecials = textSpecials;
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
        Tokenizer t;
        try {
            t = load(dir, file, hf, template, model, options);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
        return t;
    }

    private static Tokenizer load(Path dir, Path file, HuggingFaceTokenizer hf, ChatTemplate template, ModelConfig model,
            ChatOptions options) {
        Path configFile = dir.resolve("tokenizer_config.json");
        JsonNode config = ModelFiles.readOptional(configFile);
        List<Long> eos = new ArrayList<>();
        model.eosTokenIds().forEach(i -> eos.add((long) i));
        // generate() in transformers stops on every id of generation_config.json's eos_token_id
        // (Llama 3 Instruct lists <|eot_id|> there beside config.json's <|end_of_text|>).
        for (long id : GenerationConfig.read(dir).eosTokenIds()) {
            if (!eos.contains(id)) {
                eos.add(id);
            }
        }
        String eosToken = tokenText(config, "eos_token");
        long eosTokenId = eosToken == null ? -1 : singleId(hf, eosToken);
        if (eos.isEmpty() && eosTokenId >= 0) {
            eos.add(eosTokenId);
        }
        String padToken = tokenText(config, "pad_token");
        long pad = padToken == null ? -1 : singleId(hf, padToken);
        if (pad < 0) {
            pad = eos.isEmpty() ? 0 : eos.get(0);
        }
        // An answer ends as the chat model ends its turn: tokenizer_config.json's eos_token (Llama 3
        // Instruct's <|eot_id|>, Gemma 3's <end_of_turn>) when it stops generation, not config.json's
        // first id (<|end_of_text|>, <eos>), which the templates never write after a reply.
        long answerEnd = eos.contains(eosTokenId) ? eosTokenId : eos.isEmpty() ? pad : eos.get(0);
        Ids ids = Ids.read(file);
        if (ids.vocabBound() > model.vocabSize()) {
            throw new ModelException(file + ": the tokenizer has ids up to " + (ids.vocabBound() - 1) + " but the model's vocab_size is "
                    + model.vocabSize() + " (tokenizer and model do not match)");
        }
        Map<Long, String> pastModel = new java.util.HashMap<>();
        ids.added().forEach((id, content) -> {
            if (id >= model.vocabSize()) {
                pastModel.put(id, content);
            }
        });
        return new Tokenizer(hf, template, options, eos, answerEnd, pad, Math.max(ids.vocabBound(), ids.addedBound()),
                TextSpecials.of(hf, config, configFile), pastModel);
    }

    static String tokenText(JsonNode config, String key) {
        if (config == null || !config.has(key) || config.get(key).isNull()) {
            return null;
        }
        JsonNode n = config.get(key);
        return n.isTextual() ? n.asText() : n.path("content").asText(null);
    }

    static long singleId(HuggingFaceTokenizer hf, String token) {
        long[] ids = hf.encode(token, false, false).getIds();
        return ids.length == 1 ? ids[0] : -1;
    }

    /**
     * The ids of {@code tokenizer.json}: one past the largest of its vocabulary, and its added
     * tokens. A release may add tokens past the text model's {@code vocab_size} (Gemma 3 1B's
     * {@code <image_soft_token>}, id 262144 of a 262144-row embedding): transformers loads it, and
     * so does this, refusing such a token only where a text would use it.
     */
    private record Ids(int vocabBound, Map<Long, String> added) {
        int addedBound() {
            return added.keySet().stream().mapToInt(Long::intValue).max().orElse(-1) + 1;
        }

        static Ids read(Path file) {
            try {
                JsonNode root = new ObjectMapper().readTree(Files.readString(file));
                int max = -1;
                for (JsonNode id : root.path("model").path("vocab")) {
                    max = Math.max(max, id.asInt());
                }
                Map<Long, String> added = new java.util.HashMap<>();
                for (JsonNode t : root.path("added_tokens")) {
                    added.put(t.path("id").asLong(), t.path("content").asText());
                }
                return new Ids(max + 1, added);
            } catch (IOException e) {
                throw new ModelException(file + ": cannot read: " + e.getMessage());
            }
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
        long[] ids;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(encoding);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
        if (!pastModel.isEmpty()) {
            for (long id : ids) {
                if (pastModel.containsKey(id)) {
                    throw new ModelException("the text contains '" + pastModel.get(id) + "' (token id " + id + "), a token the model "
                            + "has no embedding for (past its vocab_size): this checkpoint cannot read it");
                }
            }
        }
        return ids;
    }

    /**
     * A plain text prompt as {@code tokenizer(text)} in transformers encodes it: the release's
     * special prefix (Llama 3's {@code <|begin_of_text|>}, none for Qwen), then the text. For
     * text no chat template rendered; never a trailing EOS (the model is to continue it).
     */
    public long[] encodePrompt(String text) {
        return textSpecials.beforeText(encode(text));
    }

    /** The ids {@link #encodePrompt} puts before a text. */
    public long[] textPrefix() {
        return textSpecials.prefix().clone();
    }

    /** Where {@link #textPrefix} comes from: tokenizer.json's post_processor or tokenizer_config.json's flags. */
    public String textPrefixSource() {
        return textSpecials.source();
    }

    /** Decodes dropping the special tokens (those {@code tokenizer.json} marks {@code special}), as {@code skip_special_tokens=True}. */
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

    /** The id a complete answer ends with in training: the eos_token of tokenizer_config.json when it stops generation, else the first EOS id (the pad id without any). */
    public long answerEndId() {
        return answerEndId;
    }

    public long padId() {
        return padId;
    }

    /**
     * A prompt this tokenizer's template rendered: as it is when a chat template wrote it (the
     * template places BOS), with {@link #encodePrompt}'s prefix when the model has no chat
     * template and the prompt is the plain {@code role: content} format.
     */
    public long[] encodeRendered(String rendered) {
        return template.isPlain() ? encodePrompt(rendered) : encode(rendered);
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
        return encodeRendered(userTurns.render(userTurn));
    }

    /**
     * The ids a model sees for a conversation ending with the user turn it answers (a multi-turn
     * prompt, a teacher context): {@link ChatTemplate#renderPrompt} under this tokenizer's options
     * (its system turn unless the conversation has one, tool turns folded where the template has no
     * tool role, the generation prompt last), encoded as {@link #encodeRendered}. A single user
     * turn takes {@link #encodeUserTurn}'s faster path to the same ids.
     */
    public long[] encodeConversation(List<ChatTemplate.Message> turns) {
        return encodeRendered(renderConversation(turns));
    }

    /** The text {@link #encodeConversation} encodes. */
    private String renderConversation(List<ChatTemplate.Message> turns) {
        if (turns.size() == 1 && turns.get(0).role().equals("user")) {
            return renderUserTurn(turns.get(0).content());
        }
        return template.renderPrompt(turns, options);
    }

    /**
     * How many of {@code ids} (the {@link #encodeConversation} of {@code turns}) the chat template
     * wrote after the last turn's content: its end-of-turn marker and the generation prompt
     * (ChatML's {@code <|im_end|>\n<|im_start|>assistant\n}), the ids a teacher context cut at its end
     * must keep. Found by encoding the render's text after that content and matching it against the
     * end of {@code ids}; 0 where the template rewrote the content beyond a trim.
     */
    public int generationPromptLength(List<ChatTemplate.Message> turns, long[] ids) {
        String rendered = renderConversation(turns);
        String content = turns.get(turns.size() - 1).content();
        int at = rendered.lastIndexOf(content);
        if (at < 0) {
            content = content.strip();
            at = content.isEmpty() ? -1 : rendered.lastIndexOf(content);
        }
        if (at < 0) {
            return 0;
        }
        long[] suffix = encode(rendered.substring(at + content.length()));
        int n = 0;
        while (n < suffix.length && n < ids.length && suffix[suffix.length - 1 - n] == ids[ids.length - 1 - n]) {
            n++;
        }
        return n;
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
