package sdpo4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.weights.TinyModels;

/**
 * {@code sdpo4j lm-bench}: decoder throughput beside PyTorch eager on the same model files, in
 * one invocation, and resident memory over many forward/backward steps.
 */
@Command(name = "lm-bench", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Benchmark the LM backend against PyTorch eager (trainer/bench/lm_bench_torch.py, run with "
                + "--python) on freshly created Llama-family models: forward+backward tokens/s, KV-cache generation "
                + "tokens/s, generation without the cache (small model), and resident memory over --memory-steps "
                + "forward/backward steps."})
public final class LmBenchCommand implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "4x256,12x768", description = "Models as LAYERSxWIDTH.")
    List<String> sizes;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per batch.")
    int batch;

    @Option(names = "--seq", defaultValue = "64", description = "Tokens per sequence for forward+backward.")
    int seq;

    @Option(names = "--new-tokens", defaultValue = "128", description = "Generated tokens per sequence.")
    int newTokens;

    @Option(names = "--memory-steps", defaultValue = "1000", description = "Forward/backward steps for the memory check (0 = skip).")
    int memorySteps;

    @Option(names = "--reps", defaultValue = "3", description = "Timed generation runs each way (with and without the cache, alternating); the best counts.")
    int reps;

    @Option(names = "--skip-no-cache", description = "Do not time generation without the KV cache (slow on large models).")
    boolean skipNoCache;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch (Debian python3-torch).")
    String python;

    @Override
    public Integer call() throws Exception {
        Path tmp = Files.createTempDirectory("sdpo4j-lm-bench");
        try {
            System.out.println("sdpo4j LM benchmark: batch " + batch + ", seq " + seq + ", " + newTokens + " new tokens, "
                    + Runtime.getRuntime().availableProcessors() + " cores, torch threads "
                    + System.getProperty("ai.djl.pytorch.num_threads", "default") + ", generation best of " + reps);
            List<Path> dirs = new ArrayList<>();
            Map<Path, LmBenchmark.Result> ours = new LinkedHashMap<>();
            try (NDManager m = NDManager.newBaseManager()) {
                for (String size : sizes) {
                    String[] lw = size.split("x");
                    int layers = Integer.parseInt(lw[0]);
                    int width = Integer.parseInt(lw[1]);
                    int heads = Math.max(1, width / 64);
                    ModelConfig cfg = TinyModels.config("llama", layers, width, heads, Math.max(1, heads / 2),
                            ((8 * width / 3 + 63) / 64) * 64, 1024);
                    Path dir = tmp.resolve(size);
                    TinyModels.create(dir, cfg, 0, m);
                    dirs.add(dir);
                }
            }
            for (Path dir : dirs) {
                LmBenchmark.Result r = LmBenchmark.measure(dir, batch, seq, newTokens, !skipNoCache, reps);
                ours.put(dir, r);
                System.out.printf(Locale.ROOT, "sdpo4j %-8s fwd+bwd %8.1f tok/s   gen (cache) %8.1f tok/s   gen (no cache) %8.1f tok/s%n",
                        dir.getFileName(), r.fwdBwdTokS(), r.genCacheTokS(), r.genNoCacheTokS());
            }
            Map<String, double[]> torch = runTorch(dirs);
            for (Path dir : dirs) {
                double[] t = torch.get(dir.toString());
                LmBenchmark.Result r = ours.get(dir);
                if (t == null) {
                    System.out.println("torch reference: not run (" + python + " with torch not found)");
                    break;
                }
                System.out.printf(Locale.ROOT, "torch  %-8s fwd+bwd %8.1f tok/s   gen (cache) %8.1f tok/s   gen (no cache) %8.1f tok/s%n",
                        dir.getFileName(), t[0], t[1], t[2]);
                System.out.printf(Locale.ROOT, "ratio sdpo4j/torch %-8s fwd+bwd %.2fx   gen (cache) %.2fx%n",
                        dir.getFileName(), r.fwdBwdTokS() / t[0], r.genCacheTokS() / t[1]);
                if (!Double.isNaN(r.genNoCacheTokS())) {
                    System.out.printf(Locale.ROOT, "sdpo4j %-8s KV cache speed-up over recomputation (%d new tokens): %.1fx%n",
                            dir.getFileName(), newTokens, r.genCacheTokS() / r.genNoCacheTokS());
                }
            }
            if (memorySteps > 0) {
                memory(dirs.get(0));
            }
        } finally {
            sdpo4j.run.AtomicFiles.deleteTree(tmp);
        }
        return 0;
    }

    private void memory(Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = HfCheckpoint.load(dir, m);
            for (NDArray p : model.parameterList()) {
                p.setRequiresGradient(true);
            }
            NDArray input = m.randomInteger(0, 256, new Shape(batch, seq), DataType.INT64);
            NDArray positions = m.arange(0, seq, 1, DataType.INT64).reshape(1, seq).repeat(0, batch);
            NDArray mask = input.onesLike();
            System.out.println("resident memory over " + memorySteps + " forward/backward steps of " + dir.getFileName() + ":");
            int every = Math.max(1, memorySteps / 10);
            for (int step = 1; step <= memorySteps; step++) {
                LmBenchmark.fwdBwd(model, input, positions, mask);
                if (step % every == 0) {
                    System.out.printf(Locale.ROOT, "  step %5d  RSS %7.1f MiB%n", step, LmBenchmark.residentMiB());
                }
            }
        }
    }

    /** Runs the PyTorch reference; returns per directory {fwd+bwd, gen cache, gen no cache} tokens/s. */
    private Map<String, double[]> runTorch(List<Path> dirs) throws Exception {
        Map<String, double[]> out = new LinkedHashMap<>();
        String home = System.getenv("SDPO4J_HOME");
        Path script = Path.of(home == null ? "." : home, "trainer/bench/lm_bench_torch.py");
        if (!Files.isRegularFile(script)) {
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(),
                System.getProperty("ai.djl.pytorch.num_threads", "2"), String.valueOf(batch), String.valueOf(seq),
                String.valueOf(newTokens)));
        dirs.forEach(d -> cmd.add(d.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return out;
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1800, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.out.println("torch reference failed:\n" + text);
            return out;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("torch ")) {
                String[] f = line.split(" ");
                out.put(f[1], new double[] {value(f[2]), value(f[3]), value(f[4])});
            }
        }
        return out;
    }

    private static double value(String field) {
        String v = field.substring(field.indexOf('=') + 1).trim();
        return v.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(v);
    }
}
