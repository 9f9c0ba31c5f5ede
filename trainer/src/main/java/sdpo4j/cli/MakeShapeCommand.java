package sdpo4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.lm.weights.ReleaseShapes;
import sdpo4j.lm.weights.SaveOptions;

/** {@code sdpo4j make-shape}: a checkpoint directory laid out like a public release, with random weights. */
@Command(name = "make-shape", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Write a checkpoint directory laid out exactly like a public release: its config.json and "
                + "generation_config.json as published, random bf16 weights (normal, std 0.02, from --seed) in the "
                + "release's safetensors layout, and the tokenizer files of --tokenizer-from. A directory already made "
                + "with the same shape, seed, layout and tokenizer is reused.",
                "Shapes: smollm2-135m, smollm2-135m-instruct, qwen2.5-0.5b-instruct, qwen2.5-1.5b-instruct, "
                        + "qwen3-0.6b, gemma-3-1b-it."})
public final class MakeShapeCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "The release, e.g. qwen3-0.6b.")
    String shape;

    @Option(names = "--out", required = true, description = "Directory to write (or reuse).")
    Path out;

    @Option(names = "--tokenizer-from", description = "Directory with the release's tokenizer.json, "
            + "tokenizer_config.json (and chat_template.jinja, special_tokens_map.json when it has them).")
    Path tokenizerFrom;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed.")
    long seed;

    @Option(names = "--max-shard-size", defaultValue = SaveOptions.DEFAULT_MAX_SHARD_SIZE,
            description = "Split the weights into shards with an index above this size (5GB: one model.safetensors "
                    + "for every shape here, as released).")
    String maxShardSize;

    @Override
    public Integer call() {
        SaveOptions options = new SaveOptions("bfloat16", SaveOptions.parseSize("--max-shard-size", maxShardSize));
        ReleaseShapes.shape(shape);
        long start = System.nanoTime();
        ReleaseShapes.Made made = ReleaseShapes.make(shape, out, tokenizerFrom, seed, options);
        System.out.printf("%s %s: %s (%s), %,d parameters, seed %d%s (%.1f s)%n", made.reused() ? "reused" : "wrote",
                made.dir(), shape, ReleaseShapes.shape(shape).repo(), made.parameters(), seed,
                tokenizerFrom == null ? ", no tokenizer" : ", tokenizer from " + tokenizerFrom,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
