package sdpo4j.lm.weights;

import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.model.family.Families;
import sdpo4j.lm.text.ChatTemplate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.run.AtomicFiles;

/**
 * HuggingFace model directories in and out: {@code config.json}, {@code model.safetensors}
 * or shards listed in {@code model.safetensors.index.json}, and the tokenizer files, which are
 * copied as they are.
 */
public final class HfCheckpoint {
    static final String WEIGHTS = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";
    /** Tokenizer and generation files carried along when a model is saved. */
    static final List<String> SIDE_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja", "chat_template.json",
            "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model");

    private HfCheckpoint() {}

    /** Loads a model directory; every expected tensor must be present with its expected shape. */
    public static DecoderLM load(Path dir, NDManager manager) {
        ModelConfig cfg = ModelConfig.read(dir);
        // Before gigabytes of weights: a template that cannot render fails now (the commands also
        // load the whole tokenizer first; this covers every caller).
        ChatTemplate.load(dir).check();
        Map<String, Path> files = weightFiles(dir);
        Map<String, Shape> expected = DecoderLM.expectedShapes(cfg);
        DecoderSpec.Names names = Families.describe(cfg).names();
        Map<String, NDArray> params = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        Map<Path, Map<String, TensorInfo>> headers = new LinkedHashMap<>();
        for (Path p : new java.util.LinkedHashSet<>(files.values())) {
            headers.put(p, Safetensors.readHeader(p));
        }
        TextTower tower = TextTower.of(headers.values().stream().flatMap(h -> h.keySet().stream()).toList());
        for (Map.Entry<Path, Map<String, TensorInfo>> h : headers.entrySet()) {
            for (TensorInfo t : h.getValue().values()) {
                String decoderName = tower.map(t.name());
                String name = decoderName == null ? null : canonical(names, decoderName);
                if (name == null) {
                    continue;
                }
                Shape want = expected.get(name);
                if (want == null) {
                    if (!(name.equals(names.head()) && cfg.tieWordEmbeddings())) {
                        unexpected.add(t.name());
                    }
                    continue;
                }
                if (!want.equals(new Shape(t.shape()))) {
                    throw new ModelException(h.getKey() + ": tensor '" + t.name() + "' has shape "
                            + new Shape(t.shape()) + " but config.json implies " + want);
                }
                params.put(name, Safetensors.load(manager, h.getKey(), t));
            }
        }
        List<String> missing = expected.keySet().stream().filter(n -> !params.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new ModelException(dir + ": missing tensors " + abbreviate(missing) + " for a " + cfg.modelType()
                    + " model of " + cfg.numLayers() + " layers (wrong config.json or incomplete checkpoint)");
        }
        if (!unexpected.isEmpty()) {
            throw new ModelException(dir + ": unexpected tensors " + abbreviate(unexpected)
                    + " (config.json does not describe these weights)");
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(n -> ordered.put(n, params.get(n)));
        return new DecoderLM(cfg, ordered);
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }

    /**
     * HF name as this backend stores it, or null for buffers that are not weights. Some families'
     * checkpoints exist with and without a prefix (GPT-2's {@code transformer.}).
     */
    private static String canonical(DecoderSpec.Names names, String name) {
        if (names.buffers().stream().anyMatch(name::endsWith)) {
            return null;
        }
        String prefix = names.optionalPrefix();
        if (!prefix.isEmpty() && !name.startsWith(prefix) && !name.equals(names.head())) {
            return prefix + name;
        }
        return name;
    }

    /** Tensor name to file, from the shard index or the single weights file. */
    private static Map<String, Path> weightFiles(Path dir) {
        Path index = dir.resolve(INDEX);
        Path single = dir.resolve(WEIGHTS);
        Map<String, Path> files = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonNode map;
            try {
                map = new ObjectMapper().readTree(Files.readString(index)).get("weight_map");
            } catch (IOException e) {
                throw new ModelException(index + ": cannot read: " + e.getMessage());
            }
            if (map == null || !map.isObject()) {
                throw new ModelException(index + ": no 'weight_map' object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Path shard = dir.resolve(e.getValue().asText());
                if (!Files.isRegularFile(shard)) {
                    throw new ModelException(index + ": shard " + e.getValue().asText() + " of tensor '" + e.getKey() + "' is missing");
                }
                files.put(e.getKey(), shard);
            }
        } else if (Files.isRegularFile(single)) {
            files.put("*", single);
        } else {
            throw new ModelException(dir + ": no " + WEIGHTS + " or " + INDEX + " (only safetensors checkpoints are supported)");
        }
        return files;
    }

    /** {@link #save(DecoderLM, Path, Path, SaveOptions)} in the source's precision with HF's default shard size. */
    public static void save(DecoderLM model, Path dir, Path sourceDir) {
        save(model, dir, sourceDir, SaveOptions.AUTO);
    }

    /**
     * Saves {@code model} as a HuggingFace directory that HF tools read: {@code sourceDir}'s
     * {@code config.json} unchanged but for its dtype field (when it describes this model; else the
     * config as this backend writes it), its tokenizer and generation files copied, and the weights
     * in the dtype asked, as one file or shards with an index. The directory appears complete or
     * not at all: it is written beside the target and renamed into place.
     *
     * @param sourceDir the directory the model was loaded from (config, tokenizer), or null
     */
    public static void save(DecoderLM model, Path dir, Path sourceDir, SaveOptions options) {
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        model.parameters().forEach((name, a) -> tensors.add(Safetensors.Tensor.of(name, a)));
        save(model.config(), tensors, dir, sourceDir, options, null);
    }

    /**
     * {@link #save(DecoderLM, Path, Path, SaveOptions)} for weights given as tensors, which may stream
     * their values (a release-sized model with random weights never exists whole in memory).
     *
     * @param tensors the model's parameters, in {@link DecoderLM#expectedShapes} order
     * @param extra more files written into the directory before it is renamed into place, or null
     */
    public static void save(ModelConfig cfg, List<Safetensors.Tensor> tensors, Path dir, Path sourceDir,
            SaveOptions options, AtomicFiles.DirectoryContent extra) {
        Path target = dir.toAbsolutePath();
        try {
            AtomicFiles.writeDirectory(target, tmp -> {
                SavedConfig config = SavedConfig.of(cfg, sourceDir);
                String dtype = options.dtype().equals("auto") ? config.sourceDtype() : options.dtype();
                AtomicFiles.writeString(tmp.resolve("config.json"), config.text(dtype));
                Shards.write(tmp, tensors, dtype.equals("bfloat16") ? "BF16" : "F32", options.maxShardBytes());
                if (sourceDir != null) {
                    for (String f : SIDE_FILES) {
                        Path src = sourceDir.resolve(f);
                        if (Files.isRegularFile(src)) {
                            Files.copy(src, tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
                if (extra != null) {
                    extra.writeInto(tmp);
                }
            });
        } catch (IOException | RuntimeException e) {
            throw new ModelException("cannot save the model to " + target + ": " + (e.getMessage() == null ? e : e.getMessage()));
        }
    }
}
