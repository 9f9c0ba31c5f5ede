package sdpo4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.ReleaseShapes;
import sdpo4j.lm.weights.SaveOptions;
import sdpo4j.run.AtomicFiles;

/**
 * {@code sdpo4j real-bench}: throughput and memory at the sizes users bring, against limits of
 * this machine measured in the same run. Each measured task runs in a child process of its own
 * ({@link MeasuredProcess}), so each peak resident set is that task's alone.
 */
@Command(name = "real-bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Benchmark release-shaped models (random bf16 weights, the release's config, made once and cached "
                + "like bin/real-layouts): load time to the first token, forward+backward tokens/s, generation tokens/s "
                + "at batch 1 and 8, peak RSS of a full and a LoRA SDPO step (the `train` command, 1 step, G=8), the "
                + "training FLOP/s over this machine's fp32 matmul peak and batch-1 generation over its memory-bandwidth "
                + "bound (both measured in the same run), and PyTorch eager (trainer/bench/lm_bench_torch.py) on one "
                + "shape side by side."})
public final class RealBenchCommand implements Callable<Integer> {
    /** The shapes of the table, smallest first. */
    static final List<String> DEFAULT_SHAPES = List.of("smollm2-135m-instruct", "qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct");
    /** The line a throughput child prints, parsed by the parent. */
    static final String THROUGHPUT_LINE = "real-bench-throughput";

    @Option(names = "--shapes", split = ",", description = "Release shapes to measure (make-shape's names).")
    List<String> shapes = new ArrayList<>(DEFAULT_SHAPES);

    @Option(names = "--quick", description = "Short runs: forward+backward on 1 x 64 tokens, 16 generated tokens, one timed "
            + "run of each, SDPO responses of 32 tokens.")
    boolean quick;

    @Option(names = "--batch", defaultValue = "2", description = "Sequences per forward+backward pass.")
    int batch;

    @Option(names = "--seq", defaultValue = "128", description = "Tokens per sequence of the forward+backward pass.")
    int seq;

    @Option(names = "--new-tokens", defaultValue = "32", description = "Generated tokens per sequence (after 8-token prompts).")
    int newTokens;

    @Option(names = "--reps", defaultValue = "2", description = "Timed runs of each measurement after an untimed one; the fastest counts.")
    int reps;

    @Option(names = "--sdpo-tokens", defaultValue = "128", description = "max-new-tokens of the SDPO steps (2 prompts x 8 responses, micro-batch 2).")
    int sdpoTokens;

    @Option(names = "--response-chunk", defaultValue = "1", description = "memory.response-chunk of the SDPO steps (0: the whole "
            + "micro-batch in one pass; 1, the default, is what the issue's memory budgets were met with, under "
            + "SDPO4J_MALLOC=lean). Both steps also set memory.checkpoint-activations, the full one memory.teacher-half.")
    int responseChunk;

    @Option(names = "--lora-rank", defaultValue = "8", description = "Adapter rank of the LoRA SDPO step (targets: the training default).")
    int loraRank;

    @Option(names = "--no-sdpo", description = "Skip the SDPO steps (their memory).")
    boolean noSdpo;

    @Option(names = "--max-rss", defaultValue = "14GB", description = "A child whose resident set passes this is stopped and "
            + "reported as above it (the machine is shared).")
    String maxRss;

    @Option(names = "--torch-shape", defaultValue = "qwen2.5-0.5b-instruct", description = "The shape PyTorch eager runs on "
            + "beside ours (empty: none).")
    String torchShape;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (Debian python3-torch).")
    String python;

    @Option(names = "--cache", description = "Where the model directories live (default: bin/real-layouts' cache, "
            + "${SDPO4J_CACHE:-~/.cache/sdpo4j}/real-layouts).")
    Path cache;

    @Option(names = "--seed", defaultValue = "0", description = "Weight seed of the directories.")
    long seed;

    @Option(names = "--throughput", hidden = true, description = "Child mode: measure one directory and print one line.")
    Path throughputDir;

    /** The measurement settings after {@code --quick}. */
    record Settings(int batch, int seq, int newTokens, int reps, int sdpoTokens) {}

    Settings settings() {
        return quick ? new Settings(1, 64, 16, 1, 32) : new Settings(batch, seq, newTokens, reps, sdpoTokens);
    }

    /** Refuses bad options in one line each, before anything is measured. */
    void check() {
        positive("--batch", batch);
        positive("--seq", seq);
        positive("--new-tokens", newTokens);
        positive("--reps", reps);
        positive("--sdpo-tokens", sdpoTokens);
        if (responseChunk < 0) {
            throw new ConfigException("--response-chunk", responseChunk, "an integer >= 0");
        }
        if (loraRank < 1) {
            throw new ConfigException("--lora-rank", loraRank, "an integer >= 1");
        }
        if (shapes.isEmpty()) {
            throw new ConfigException("--shapes", "", "one or more of " + String.join(", ", names()));
        }
        for (String s : shapes) {
            if (!names().contains(s)) {
                throw new ConfigException("--shapes", s, "one of " + String.join(", ", names()));
            }
        }
        if (!torchShape.isEmpty() && !torchShape.startsWith("qwen2.5") && !torchShape.startsWith("smollm2")) {
            throw new ConfigException("--torch-shape", torchShape, "a Llama or Qwen2.5 shape (lm_bench_torch.py's families) or empty");
        }
        SaveOptions.parseSize("--max-rss", maxRss);
    }

    private static List<String> names() {
        return ReleaseShapes.SHAPES.stream().map(ReleaseShapes.Shape::name).toList();
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new ConfigException(key, value, "an integer >= 1");
        }
    }

    @Override
    public Integer call() throws Exception {
        check();
        Settings s = settings();
        if (throughputDir != null) {
            Throughput t = throughput(throughputDir, s);
            System.out.println(t.line());
            return 0;
        }
        long cap = SaveOptions.parseSize("--max-rss", maxRss);
        String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
        System.out.printf(Locale.ROOT, "sdpo4j real-bench, %s; %d cores, torch threads %s, load average at start %s%n",
                Instant.now(), Runtime.getRuntime().availableProcessors(), threads, loadAverage());
        System.out.printf(Locale.ROOT, "forward+backward %d x %d tokens; generation %d new tokens after 8-token prompts; "
                + "best of %d timed runs after one untimed; SDPO steps: 2 prompts x 8 responses, %d new tokens, micro-batch 2, "
                + "response chunk %d, checkpointed activations, full step's teacher in fp16, 1 step; children above %s RSS are stopped%n",
                s.batch(), s.seq(), s.newTokens(), s.reps(), s.sdpoTokens(), responseChunk, maxRss);
        // Children inherit the allocator settings, and peak RSS depends on them (docs/training.md, "Memory options").
        System.out.printf(Locale.ROOT, "allocator: MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s THP_MEM_ALLOC_ENABLE=%s "
                + "(bin/sdpo4j's SDPO4J_MALLOC=lean is the memory budgets' setting)%n", env("MALLOC_MMAP_THRESHOLD_"),
                env("MALLOC_TRIM_THRESHOLD_"), env("THP_MEM_ALLOC_ENABLE"));
        MachineLimits limits = MachineLimits.measure(2048, 256, quick ? 3 : 5);
        System.out.printf(Locale.ROOT, "machine: fp32 matmul peak %.1f GFLOP/s (2048^3, best of %d), copy bandwidth %.2f GB/s "
                + "(256 MiB in place, read+write), one-row linear %.2f GB/s of weights (16 x [4096, 1024])%n",
                limits.matmulFlops() / 1e9, quick ? 3 : 5, limits.copyBytesPerSecond() / 1e9, limits.matVecBytesPerSecond() / 1e9);
        Map<String, Path> dirs = directories();
        List<String> table = new ArrayList<>();
        Path runs = Files.createTempDirectory("sdpo4j-real-bench");
        try {
            for (String shape : shapes) {
                Path dir = dirs.get(shape);
                ModelConfig cfg = ModelConfig.read(dir);
                Flops flops = Flops.of(cfg);
                System.out.printf(Locale.ROOT, "%n== %s (%s), %,d weights in matrix products%n", shape, dir, flops.matmulWeights());
                MeasuredProcess.Outcome child = MeasuredProcess.run(MeasuredProcess.sameJvm("sdpo4j.cli.Main",
                        throughputArgs(dir, s)), cap);
                Throughput t = child.ok() ? Throughput.parse(child.output()) : null;
                double trainFraction = 0;
                double bound = limits.bandwidthBoundTokensPerSecond(flops.weightBytesPerToken(4));
                double matVecBound = limits.matVecBoundTokensPerSecond(flops.weightBytesPerToken(4));
                String torch = "-";
                if (t == null) {
                    // The SDPO steps still run: their memory is what decides whether a shape trains here at all.
                    System.out.println("throughput child failed (" + describe(child) + "):\n" + tail(child.output()));
                } else {
                    trainFraction = limits.computeFraction(t.fwdBwdTokS(), flops.trainingPerToken(s.seq()));
                    System.out.printf(Locale.ROOT, "load to first token %.2f s; forward+backward %.1f tok/s = %.1f GFLOP/s = %.0f%% of "
                            + "the matmul peak; generation batch 1 %.2f tok/s = %.0f%% of the bandwidth bound %.2f tok/s (%.0f MB of "
                            + "fp32 weights a token), %.0f%% of the one-row linear's bound %.2f tok/s; batch 8 %.2f tok/s; "
                            + "peak RSS of this child %s%n", t.loadSeconds(), t.fwdBwdTokS(),
                            t.fwdBwdTokS() * flops.trainingPerToken(s.seq()) / 1e9, 100 * trainFraction, t.gen1TokS(),
                            100 * t.gen1TokS() / bound, bound, flops.weightBytesPerToken(4) / 1e6, 100 * t.gen1TokS() / matVecBound,
                            matVecBound, t.gen8TokS(), gb(child.peakBytes()));
                    // PyTorch right after ours: the two throughputs then meet the most similar spell of load.
                    if (shape.equals(torchShape)) {
                        torch = torch(dir, s, t, cap);
                    }
                }
                String full = "-";
                String lora = "-";
                if (!noSdpo) {
                    long state = fullStepStateBytes(flops.matmulWeights());
                    if (cap > 0 && state > cap) {
                        System.out.printf(Locale.ROOT, "full SDPO step: not run: its state alone (fp32 weights, gradients and two "
                                + "AdamW moments, fp16 teacher: %d bytes a weight) is %s, above --max-rss %s%n",
                                FULL_STEP_BYTES_PER_WEIGHT, gb(state), maxRss);
                        full = "> " + gb(state) + " (state alone)";
                    } else {
                        full = sdpoStep(dir, runs, s, 0, cap);
                    }
                    lora = sdpoStep(dir, runs, s, loraRank, cap);
                }
                if (t == null) {
                    table.add(String.format(Locale.ROOT, "| %s | - | - | - | - | - | - | %s | %s | - |", shape, full, lora));
                    continue;
                }
                table.add(String.format(Locale.ROOT, "| %s | %.2f | %.1f | %.0f%% | %.2f | %.0f%% | %.2f | %s | %s | %s |", shape,
                        t.loadSeconds(), t.fwdBwdTokS(), 100 * trainFraction, t.gen1TokS(), 100 * t.gen1TokS() / bound,
                        t.gen8TokS(), full, lora, torch));
            }
        } finally {
            AtomicFiles.deleteTree(runs);
        }
        System.out.printf(Locale.ROOT, "%nsummary (load average at end %s; goals at 0.5B: training >= 50%% of the matmul peak, "
                + "batch-1 generation >= 70%% of the bandwidth bound, sdpo4j >= 1.0x torch eager)%n", loadAverage());
        System.out.println("| shape | load to 1st token s | fwd+bwd tok/s | of matmul peak | gen b1 tok/s | of bandwidth bound "
                + "| gen b8 tok/s | full SDPO step peak RSS | LoRA r" + loraRank + " SDPO step peak RSS | sdpo4j / torch eager (fwd+bwd, gen b1) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
        return 0;
    }

    /** Bytes a weight of a full SDPO step with an fp16 teacher holds before any activation (docs/training.md, "Memory formula"). */
    static final int FULL_STEP_BYTES_PER_WEIGHT = 18;

    /** A lower bound of a full SDPO step's peak: its state for {@code weights} (the runtime and activations come on top). */
    static long fullStepStateBytes(long weights) {
        return FULL_STEP_BYTES_PER_WEIGHT * weights;
    }

    /** The arguments of a throughput child: this command on one directory with the settings already resolved. */
    List<String> throughputArgs(Path dir, Settings s) {
        return List.of("real-bench", "--throughput", dir.toString(), "--batch", String.valueOf(s.batch()), "--seq",
                String.valueOf(s.seq()), "--new-tokens", String.valueOf(s.newTokens()), "--reps", String.valueOf(s.reps()));
    }

    /**
     * The {@code train} arguments of one SDPO step at the shape (G=8, micro-batch 2) with the
     * memory options the budgets assume; rank 0 trains every weight (EMA teacher in fp16).
     */
    static List<String> trainArgs(Path dir, Path runs, Path home, int tokens, int loraRank, int responseChunk) {
        List<String> args = new ArrayList<>(List.of("train", "--runs-dir", runs.toString(), "--overwrite",
                "--name", dir.getFileName() + "-lora" + loraRank));
        for (String set : List.of("model=" + dir, "dataset=" + home.resolve("datasets/arithmetic/train.jsonl"),
                "prompts-dir=" + home.resolve("prompts"), "eval.dataset=", "steps=1", "prompts=2", "group-size=8",
                "micro-batch-prompts=2", "max-new-tokens=" + tokens, "objective.name=sdpo", "checkpoint.every=0",
                "lora.rank=" + loraRank, "memory.response-chunk=" + responseChunk, "memory.checkpoint-activations=true")) {
            args.add("--set");
            args.add(set);
        }
        if (loraRank == 0) {
            args.addAll(List.of("--set", "memory.teacher-half=true"));
        }
        return args;
    }

    private String sdpoStep(Path dir, Path runs, Settings s, int rank, long cap) throws IOException, InterruptedException {
        MeasuredProcess.Outcome o = MeasuredProcess.run(MeasuredProcess.sameJvm("sdpo4j.cli.Main",
                trainArgs(dir, runs, home(), s.sdpoTokens(), rank, responseChunk)), cap);
        String what = rank == 0 ? "full SDPO step" : "LoRA r" + rank + " SDPO step";
        if (o.cappedAt() > 0) {
            System.out.printf(Locale.ROOT, "%s: above %s peak RSS, stopped after %.0f s%n", what, gb(o.cappedAt()), o.seconds());
            return "> " + gb(o.cappedAt()) + " (stopped)";
        }
        if (o.exitCode() != 0) {
            System.out.println(what + " failed (" + describe(o) + "):\n" + tail(o.output()));
            return "failed";
        }
        System.out.printf(Locale.ROOT, "%s: peak RSS %s (whole `train` process: load, rollouts, step, checkpoint), %.0f s%n",
                what, gb(o.peakBytes()), o.seconds());
        AtomicFiles.deleteTree(runs.resolve(dir.getFileName() + "-lora" + rank));
        return gb(o.peakBytes());
    }

    private String torch(Path dir, Settings s, Throughput ours, long cap) throws IOException, InterruptedException {
        Path script = home().resolve("trainer/bench/lm_bench_torch.py");
        if (!Files.isExecutable(Path.of(python)) || !Files.isRegularFile(script)) {
            System.out.println("torch eager: not run (" + python + " or " + script + " missing)");
            return "not run";
        }
        MeasuredProcess.Outcome o = MeasuredProcess.run(List.of(python, script.toString(), "--gen-batch", "1", "--reps",
                String.valueOf(s.reps()), System.getProperty("ai.djl.pytorch.num_threads", "2"), String.valueOf(s.batch()),
                String.valueOf(s.seq()), String.valueOf(s.newTokens()), dir.toString()), cap);
        double[] t = o.ok() ? torchFigures(o.output()) : null;
        if (t == null) {
            System.out.println("torch eager failed (" + describe(o) + "):\n" + tail(o.output()));
            return "failed";
        }
        System.out.printf(Locale.ROOT, "torch eager: forward+backward %.1f tok/s, generation batch 1 %.2f tok/s, peak RSS %s; "
                + "sdpo4j / torch: forward+backward %.2fx, generation %.2fx%n", t[0], t[1], gb(o.peakBytes()),
                ours.fwdBwdTokS() / t[0], ours.gen1TokS() / t[1]);
        return String.format(Locale.ROOT, "%.2fx, %.2fx", ours.fwdBwdTokS() / t[0], ours.gen1TokS() / t[1]);
    }

    /** {fwd+bwd, cached generation} tokens/s from lm_bench_torch.py's output, or null when it has no result line. */
    static double[] torchFigures(String output) {
        for (String line : output.split("\n")) {
            if (line.startsWith("torch ")) {
                Map<String, String> kv = keyValues(line);
                return new double[] {Double.parseDouble(kv.get("fwdbwd_tok_s")), Double.parseDouble(kv.get("gen_cache_tok_s"))};
            }
        }
        return null;
    }

    /** Makes (or reuses) each shape's directory with its family's tokenizer, where bin/real-layouts keeps them. */
    private Map<String, Path> directories() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(home().resolve("bin/real-layouts").toString(), "--seed", String.valueOf(seed),
                "--tokenizers-only"));
        if (cache != null) {
            cmd.addAll(List.of("--cache", cache.toString()));
        }
        cmd.addAll(shapes);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new ConfigException("--shapes", shapes, "shapes whose tokenizers bin/real-layouts can fetch (it failed: "
                    + out.strip() + ")");
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        SaveOptions options = new SaveOptions("bfloat16", SaveOptions.parseSize("--max-shard-size", SaveOptions.DEFAULT_MAX_SHARD_SIZE));
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            long t0 = System.nanoTime();
            ReleaseShapes.Made made = ReleaseShapes.make(f[0], Path.of(f[2]), Path.of(f[1]), seed, options);
            System.out.printf(Locale.ROOT, "%s %s (%.1f s)%n", made.reused() ? "reused" : "wrote", made.dir(), (System.nanoTime() - t0) / 1e9);
            dirs.put(f[0], made.dir());
        }
        return dirs;
    }

    /**
     * One directory's figures, measured in this process.
     *
     * @param loadSeconds from the engine already started to the first generated token (load, tokenizer, a one-token generation)
     */
    record Throughput(double loadSeconds, double fwdBwdTokS, double gen1TokS, double gen8TokS) {
        String line() {
            return String.format(Locale.ROOT, "%s load_s=%.4f fwdbwd_tok_s=%.4f gen1_tok_s=%.4f gen8_tok_s=%.4f", THROUGHPUT_LINE,
                    loadSeconds, fwdBwdTokS, gen1TokS, gen8TokS);
        }

        /** The figures of a child's output, or null when it printed no result line. */
        static Throughput parse(String output) {
            for (String line : output.split("\n")) {
                if (line.startsWith(THROUGHPUT_LINE + " ")) {
                    Map<String, String> kv = keyValues(line);
                    return new Throughput(Double.parseDouble(kv.get("load_s")), Double.parseDouble(kv.get("fwdbwd_tok_s")),
                            Double.parseDouble(kv.get("gen1_tok_s")), Double.parseDouble(kv.get("gen8_tok_s")));
                }
            }
            return null;
        }
    }

    static Throughput throughput(Path dir, Settings s) {
        Engine.getInstance(); // started before the clock: the goal is time to the first token after the engine is up
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = HfCheckpoint.load(dir, m);
            try (Tokenizer tok = Tokenizer.load(dir, model.config())) {
                Generator g = new Generator(model, tok);
                Random rnd = new Random(1);
                g.generate(m, LmBenchmark.randomPrompts(rnd, 1, 8), greedy(1));
                double load = (System.nanoTime() - t0) / 1e9;
                double fb = java.util.Arrays.stream(LmBenchmark.fwdBwdSeconds(model, m, rnd, s.batch(), s.seq(), s.reps()))
                        .min().orElseThrow();
                double gen1 = bestGeneration(g, m, LmBenchmark.randomPrompts(rnd, 1, 8), s);
                double gen8 = bestGeneration(g, m, LmBenchmark.randomPrompts(rnd, 8, 8), s);
                return new Throughput(load, s.batch() * (double) s.seq() / fb, s.newTokens() / gen1, 8.0 * s.newTokens() / gen8);
            }
        }
    }

    /** Seconds of the fastest of {@code reps} greedy generations after an untimed one. */
    private static double bestGeneration(Generator g, NDManager m, List<long[]> prompts, Settings s) {
        double best = Double.POSITIVE_INFINITY;
        for (int r = -1; r < s.reps(); r++) {
            long t0 = System.nanoTime();
            g.generate(m, prompts, greedy(s.newTokens()));
            if (r >= 0) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return best;
    }

    private static SamplingConfig greedy(int tokens) {
        return SamplingConfig.builder().temperature(0).maxNewTokens(tokens).ignoreEos(true).build();
    }

    static Map<String, String> keyValues(String line) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String field : line.trim().split("\\s+")) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                kv.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return kv;
    }

    private static Path home() {
        String home = System.getenv("SDPO4J_HOME");
        return Path.of(home == null ? "." : home).toAbsolutePath();
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "unset" : v;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    private static String describe(MeasuredProcess.Outcome o) {
        return o.cappedAt() > 0 ? "stopped above " + gb(o.cappedAt()) + " RSS" : "exit " + o.exitCode();
    }

    private static String tail(String output) {
        String[] lines = output.strip().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 15), lines.length));
    }
}
