package sdpo4j.lm.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.InitialWeights;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.run.AtomicFiles;
import sdpo4j.run.Manifest;

/**
 * Checkpoint directories laid out exactly like public releases, with random weights: the release's
 * own {@code config.json} and {@code generation_config.json} (kept as resources under
 * {@code /sdpo4j/shapes/NAME/}, their published values), the weights in the release's dtype (bf16)
 * and file layout, and tokenizer files copied from a directory the caller names. Used to try the
 * loader, chat templates, generation and training at the size users bring, with no network.
 *
 * <p>The weights are drawn by {@link InitialWeights}, each tensor from its own seeded stream, and
 * streamed into the safetensors files a chunk at a time, so a 1.5B model is never held in fp32. A directory is written beside its target and
 * renamed into place; it carries a stamp ({@value #STAMP}: shape, seed, layout, tokenizer files'
 * SHA-256) so that a later call with the same inputs reuses it instead of writing gigabytes again.
 */
public final class ReleaseShapes {
    /** The file that says which shape, seed and tokenizer a directory was made from. */
    public static final String STAMP = ".sdpo4j-shape";
    /** Values per chunk when streaming weights (4 MiB of fp32). */
    private static final int CHUNK = 1 << 20;

    /** A public release whose layout we can write: the name users give and the HuggingFace repository. */
    public record Shape(String name, String repo) {}

    /** The shapes we have configs for. */
    public static final List<Shape> SHAPES = List.of(
            new Shape("smollm2-135m", "HuggingFaceTB/SmolLM2-135M"),
            new Shape("smollm2-135m-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct"),
            new Shape("qwen2.5-0.5b-instruct", "Qwen/Qwen2.5-0.5B-Instruct"),
            new Shape("qwen2.5-1.5b-instruct", "Qwen/Qwen2.5-1.5B-Instruct"),
            new Shape("qwen3-0.6b", "Qwen/Qwen3-0.6B"),
            new Shape("gemma-3-1b-it", "google/gemma-3-1b-it"));

    /** Tokenizer files taken from {@code --tokenizer-from} (never its config or generation settings). */
    static final List<String> TOKENIZER_FILES = HfCheckpoint.SIDE_FILES.stream()
            .filter(f -> !f.equals("generation_config.json")).toList();

    /**
     * What {@link #make} did.
     *
     * @param reused the directory already held this shape, seed and tokenizer and was left as it was
     * @param parameters the model's parameter count (a tied head counted once)
     */
    public record Made(Path dir, ModelConfig config, boolean reused, long parameters) {}

    private ReleaseShapes() {}

    public static Shape shape(String name) {
        return SHAPES.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new ModelException(
                "unknown shape '" + name + "'; known: " + String.join(", ", SHAPES.stream().map(Shape::name).toList())));
    }

    /**
     * Writes (or reuses) {@code out} as a directory of the release {@code name}.
     *
     * @param tokenizerDir a directory whose tokenizer files ({@link #TOKENIZER_FILES}) are copied, or null
     * @param options the dtype (the release's bf16 by {@code auto}) and shard size of the weights
     */
    public static Made make(String name, Path out, Path tokenizerDir, long seed, SaveOptions options) {
        Shape shape = shape(name);
        Path target = out.toAbsolutePath();
        Path source = target.resolveSibling("." + target.getFileName() + ".source");
        try {
            AtomicFiles.deleteTree(source);
            Files.createDirectories(source);
            for (String f : List.of("config.json", "generation_config.json")) {
                Files.write(source.resolve(f), resource(shape.name() + "/" + f));
            }
            if (tokenizerDir != null) {
                copyTokenizer(tokenizerDir, source);
            }
            return writeOrReuse(shape.name(), source, target, seed, options);
        } catch (IOException e) {
            throw new ModelException("cannot write " + target + ": " + e.getMessage());
        } finally {
            try {
                AtomicFiles.deleteTree(source);
            } catch (IOException ignored) {
                // a leftover staging directory is replaced by the next call
            }
        }
    }

    /**
     * Writes {@code target} from the files staged in {@code source} (config, generation config,
     * tokenizer) with random weights, unless it already holds exactly that (its stamp says so).
     */
    static Made writeOrReuse(String shapeName, Path source, Path target, long seed, SaveOptions options) throws IOException {
        ModelConfig cfg = ModelConfig.read(source);
        long parameters = DecoderLM.expectedShapes(cfg).values().stream().mapToLong(ai.djl.ndarray.types.Shape::size).sum();
        String stamp = stamp(shapeName, seed, options, source);
        Path existing = target.resolve(STAMP);
        if (Files.isRegularFile(existing) && Files.readString(existing).equals(stamp)) {
            return new Made(target, cfg, true, parameters);
        }
        if (Files.exists(target) && !Files.isRegularFile(existing)) {
            throw new ModelException(target + " exists and was not made by make-shape; remove it or choose another directory");
        }
        HfCheckpoint.save(cfg, randomTensors(cfg, seed), target, source, options,
                dir -> AtomicFiles.writeString(dir.resolve(STAMP), stamp));
        return new Made(target, cfg, false, parameters);
    }

    /** The model's tensors in checkpoint order, each drawing its values when written. */
    static List<Safetensors.Tensor> randomTensors(ModelConfig cfg, long seed) {
        InitialWeights init = new InitialWeights(cfg);
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, ai.djl.ndarray.types.Shape> e : DecoderLM.expectedShapes(cfg).entrySet()) {
            String tensor = e.getKey();
            long size = e.getValue().size();
            tensors.add(new Safetensors.Tensor(tensor, e.getValue().getShape(), sink -> {
                java.util.Random rnd = InitialWeights.stream(seed, tensor);
                float[] buf = new float[(int) Math.min(CHUNK, size)];
                for (long done = 0; done < size; ) {
                    int n = (int) Math.min(buf.length, size - done);
                    init.fill(tensor, rnd, buf, n);
                    sink.accept(buf, n);
                    done += n;
                }
            }));
        }
        return tensors;
    }

    private static void copyTokenizer(Path tokenizerDir, Path source) throws IOException {
        if (!Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
            throw new ModelException(tokenizerDir + ": no tokenizer.json (--tokenizer-from needs a directory with the "
                    + "release's tokenizer.json and tokenizer_config.json)");
        }
        for (String f : TOKENIZER_FILES) {
            Path src = tokenizerDir.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, source.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Everything the directory's content depends on, one line each; the tokenizer by its files' hashes. */
    private static String stamp(String shapeName, long seed, SaveOptions options, Path source) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("shape ").append(shapeName).append('\n')
                .append("seed ").append(seed).append('\n')
                .append("dtype ").append(options.dtype()).append('\n')
                .append("max-shard-size ").append(options.maxShardBytes()).append('\n')
                .append("init normal std ").append(InitialWeights.STD).append('\n');
        List<String> files = new ArrayList<>(TOKENIZER_FILES);
        files.add(0, "config.json");
        files.add(1, "generation_config.json");
        for (String f : files) {
            Path p = source.resolve(f);
            if (Files.isRegularFile(p)) {
                sb.append(f).append(' ').append(Manifest.sha256(p)).append('\n');
            }
        }
        return sb.toString();
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = ReleaseShapes.class.getResourceAsStream("/sdpo4j/shapes/" + path)) {
            if (in == null) {
                throw new ModelException("resource /sdpo4j/shapes/" + path + " is missing from the build");
            }
            return in.readAllBytes();
        }
    }
}
