package sdpo4j.lm.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import sdpo4j.run.AtomicFiles;

/**
 * Writes the tokenizer of the project's tiny models: byte-level BPE with no merges (one token
 * per byte, as GPT-2's byte-to-unicode alphabet spells them) plus special tokens, as a real
 * {@code tokenizer.json} that DJL's HuggingFace tokenizer and HF tools read, and a
 * {@code tokenizer_config.json} with a ChatML chat template.
 */
public final class ByteLevelTokenizer {
    public static final String EOS = "<|endoftext|>";
    public static final String PAD = "<|pad|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    /** Special tokens after the 256 bytes, in id order. */
    public static final List<String> SPECIALS = List.of(EOS, PAD, IM_START, IM_END);
    public static final int VOCAB_SIZE = 256 + SPECIALS.size();
    public static final int EOS_ID = 256;
    public static final int PAD_ID = 257;

    static final String CHAT_TEMPLATE = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private ByteLevelTokenizer() {}

    /** GPT-2's reversible map from bytes to printable characters. */
    static char[] byteAlphabet() {
        char[] map = new char[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            printable[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public static void write(Path dir) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", 256 + i);
            t.put("content", SPECIALS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] alphabet = byteAlphabet();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(alphabet[b]), b);
        }
        model.putArray("merges");

        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("eos_token", EOS);
        config.put("pad_token", PAD);
        config.putNull("bos_token");
        config.put("model_max_length", 1 << 16);
        config.put("chat_template", CHAT_TEMPLATE);
        try {
            AtomicFiles.writeString(dir.resolve("tokenizer.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
