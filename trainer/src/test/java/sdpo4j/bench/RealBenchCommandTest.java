package sdpo4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sdpo4j.cli.Main;
import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.weights.TinyModels;

/**
 * {@code sdpo4j real-bench}: its options are refused in one line before anything runs, and the
 * arithmetic its ratios rest on (FLOPs and weight bytes per token, against hand counts) and its
 * parsing of the children's result lines are right. No timing here: the command prints timings.
 */
class RealBenchCommandTest {
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int rc = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return new String[] {String.valueOf(rc), err.toString().trim()};
    }

    @Test
    void badOptionsAreRefusedInOneLine() {
        String[][] cases = {
            {"--reps", "0", "error: key '--reps': value 0 is not allowed; allowed: an integer >= 1"},
            {"--seq", "-3", "error: key '--seq': value -3 is not allowed; allowed: an integer >= 1"},
            {"--lora-rank", "0", "error: key '--lora-rank': value 0 is not allowed; allowed: an integer >= 1"},
            {"--shapes", "qwen9-7b", "error: key '--shapes': value 'qwen9-7b' is not allowed; allowed: one of smollm2-135m, "
                    + "smollm2-135m-instruct, qwen2.5-0.5b-instruct, qwen2.5-1.5b-instruct, qwen3-0.6b, gemma-3-1b-it"},
            {"--max-rss", "lots", "error: key '--max-rss': value 'lots' is not allowed; allowed: a size such as 5GB, 500MB, "
                    + "2GiB or a number of bytes"},
            {"--torch-shape", "gemma-3-1b-it", "error: key '--torch-shape': value 'gemma-3-1b-it' is not allowed; allowed: a "
                    + "Llama or Qwen2.5 shape (lm_bench_torch.py's families) or empty"},
        };
        for (String[] c : cases) {
            String[] r = run("real-bench", c[0], c[1]);
            assertEquals("2", r[0], r[1]);
            assertEquals(c[2], r[1]);
        }
    }

    @Test
    void quickShortensEverything() {
        RealBenchCommand cmd = new RealBenchCommand();
        new picocli.CommandLine(cmd).parseArgs("--quick", "--batch", "4");
        assertEquals(new RealBenchCommand.Settings(1, 64, 16, 1, 32), cmd.settings());
        cmd = new RealBenchCommand();
        new picocli.CommandLine(cmd).parseArgs("--batch", "4", "--seq", "32");
        assertEquals(new RealBenchCommand.Settings(4, 32, 32, 2, 128), cmd.settings());
        assertEquals(List.of("real-bench", "--throughput", "/m", "--batch", "4", "--seq", "32", "--new-tokens", "32", "--reps", "2"),
                cmd.throughputArgs(Path.of("/m"), cmd.settings()));
    }

    /**
     * Llama, 2 layers, width 8, 2 query heads of 4 and 1 key/value head, MLP 16, vocabulary 10,
     * by hand: q 8x8 = 64, k 8x4 = 32, v 32, o 64, gate/up/down 128 each: 576 a layer, 1,152 for
     * two, and the head 10x8 = 80 (its own tensor, or the embedding again when tied): 1,232.
     * Forward at 5 tokens: 2 x 1,232 + 2 layers x 4 x (2 x 4) x 5 = 2,464 + 320 = 2,784.
     */
    @Test
    void flopsPerTokenMatchAHandCount() {
        for (boolean tied : new boolean[] {false, true}) {
            for (String type : new String[] {"llama", "qwen2"}) {
                ModelConfig c = new ModelConfig(Architecture.LLAMA, type, 10, 8, 2, 2, 1, 16, 32, 1e-5, 10000, null, tied,
                        type.equals("qwen2"), -1, List.of(2));
                Flops f = Flops.of(c);
                assertEquals(1232, f.matmulWeights(), type + " tied " + tied);
                assertEquals(2784, f.forwardPerToken(5), 0, type);
                assertEquals(3 * 2784, f.trainingPerToken(5), 0, type);
                assertEquals(4 * 1232, f.weightBytesPerToken(4), 0, type);
            }
        }
        // GPT-2 (tied): the learned position table is a lookup too. 1 layer of width 8, MLP 32,
        // vocabulary 260: c_attn 8x24 = 192, c_proj 64, c_fc 256, mlp c_proj 256 = 768; head 2,080.
        assertEquals(768 + 2080, Flops.of(TinyModels.config("gpt2", 1, 8, 2, 2, 32, 16)).matmulWeights());
    }

    @Test
    void ratiosAgainstTheMachineLimits() {
        MachineLimits limits = new MachineLimits(50e9, 8e9, 2e9);
        assertEquals(0.6, limits.computeFraction(10, 3e9), 1e-12);
        assertEquals(4.0, limits.bandwidthBoundTokensPerSecond(2e9), 1e-12);
        assertEquals(1.0, limits.matVecBoundTokensPerSecond(2e9), 1e-12);
    }

    @Test
    void childResultLinesParse() {
        RealBenchCommand.Throughput t = new RealBenchCommand.Throughput(3.25, 14.5, 2.125, 9.5);
        assertEquals(t, RealBenchCommand.Throughput.parse("loading\n" + t.line() + "\n"));
        assertNull(RealBenchCommand.Throughput.parse("Exception in thread main\n"));
        double[] torch = RealBenchCommand.torchFigures("torch /a/b fwdbwd_tok_s=12.5 gen_cache_tok_s=3.0 gen_nocache_tok_s=nan\n"
                + "torch_peak_rss_mib=100.0\n");
        assertNotNull(torch);
        assertEquals(12.5, torch[0]);
        assertEquals(3.0, torch[1]);
        assertNull(RealBenchCommand.torchFigures("torch_peak_rss_mib=100.0\n"));
    }

    @Test
    void theSdpoStepIsTheIssuesShape() {
        List<String> args = RealBenchCommand.trainArgs(Path.of("/models/q"), Path.of("/runs"), Path.of("/home"), 128, 8, 2);
        assertEquals("train", args.get(0));
        for (String set : List.of("model=/models/q", "steps=1", "prompts=2", "group-size=8", "micro-batch-prompts=2",
                "max-new-tokens=128", "objective.name=sdpo", "lora.rank=8", "dataset=/home/datasets/arithmetic/train.jsonl",
                "memory.response-chunk=2", "memory.checkpoint-activations=true")) {
            int i = args.indexOf(set);
            assertTrue(i > 0 && args.get(i - 1).equals("--set"), set + " in " + args);
        }
        // The fp16 teacher is the full step's: a LoRA teacher is adapters on the shared base.
        assertFalse(args.contains("memory.teacher-half=true"), args.toString());
        assertTrue(RealBenchCommand.trainArgs(Path.of("/models/q"), Path.of("/runs"), Path.of("/home"), 128, 0, 2)
                .contains("memory.teacher-half=true"));
    }

    @Test
    void aFullStepWhoseStateAloneIsOverTheCapIsNotStarted() {
        // 18 bytes a weight: fp32 weights, gradients, two AdamW moments, the fp16 teacher (docs/training.md's formula).
        assertEquals(18L * 493_961_216, RealBenchCommand.fullStepStateBytes(493_961_216));
        assertTrue(RealBenchCommand.fullStepStateBytes(1_543_569_408L) > 20e9, "1.5B's state cannot fit a 20 GB cap");
        assertTrue(RealBenchCommand.fullStepStateBytes(493_961_216) < 11e9, "0.5B's state leaves room under the 11 GB goal");
    }

    /** A child's peak is its own high-water mark, and a child past the cap is stopped and said to be. */
    @Test
    void childPeakAndCap() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
        List<String> grow = List.of("/usr/bin/python3", "-c", "import time; x = bytearray(300_000_000); time.sleep(0.5); print('ok')");
        MeasuredProcess.Outcome o = MeasuredProcess.run(grow, 0);
        assertTrue(o.ok(), o.output());
        assertTrue(o.peakBytes() > 300_000_000 && o.peakBytes() < 600_000_000, "peak " + o.peakBytes());
        assertEquals("ok", o.output().trim());
        o = MeasuredProcess.run(List.of("/usr/bin/python3", "-c", "import time; x = bytearray(300_000_000); time.sleep(30)"), 100_000_000);
        assertEquals(100_000_000, o.cappedAt());
        assertTrue(o.seconds() < 20, "stopped at once, not after the sleep: " + o.seconds());
    }
}
