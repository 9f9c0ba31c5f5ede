package sdpo4j.lm.decoding;

import sdpo4j.lm.model.Architecture;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.ModelException;
import sdpo4j.lm.scoring.TeacherForcing;
import sdpo4j.lm.text.ByteLevelTokenizer;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.optim.Autograd;

class GenerationTest {
    static NDManager manager;
    static Path dir;
    static DecoderLM model;
    static Tokenizer tokenizer;

    @BeforeAll
    static void create(@TempDir Path tmp) {
        manager = NDManager.newBaseManager();
        dir = tmp.resolve("tiny");
        // Larger-than-default weights so that the distributions are far from uniform.
        ModelConfig cfg = TinyModels.config("llama", 2, 32, 4, 2, 64, 128);
        TinyModels.create(dir, cfg, 7, manager);
        model = HfCheckpoint.load(dir, manager);
        for (NDArray p : model.parameterList()) {
            if (p.getShape().dimension() == 2) {
                p.muli(25);
            }
        }
        tokenizer = Tokenizer.load(dir, model.config());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        manager.close();
    }

    @Test
    void tokenizerRoundTripsTextAndKnowsItsSpecials() {
        String text = "12 + 7 = 19\nnaïve ✓";
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        assertEquals(1, tokenizer.encode(ByteLevelTokenizer.IM_START).length);
        assertEquals(List.of((long) ByteLevelTokenizer.EOS_ID), tokenizer.eosIds());
        assertEquals(ByteLevelTokenizer.PAD_ID, tokenizer.padId());
        assertEquals(ByteLevelTokenizer.VOCAB_SIZE, tokenizer.idBound());
    }

    @Test
    void chatTemplateRendersAndPlainFormatIsTheFallback() {
        List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("system", "Be brief."),
                new ChatTemplate.Message("user", "2+2?"));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
                tokenizer.render(chat, true));
        ChatTemplate plain = ChatTemplate.of(null);
        assertTrue(plain.isPlain());
        assertEquals("system: Be brief.\nuser: 2+2?\nassistant: ", plain.render(chat, true));
    }

    @Test
    void tokenizerThatDoesNotFitTheModelIsRefused() throws Exception {
        Path small = dir.resolveSibling("small-vocab");
        Files.createDirectories(small);
        ByteLevelTokenizer.write(small);
        ModelConfig cfg = new ModelConfig(Architecture.LLAMA, "llama", 100, 32, 1, 4, 4, 32, 64, 1e-5, 10000, null,
                true, false, -1, List.of(1));
        String msg = assertThrows(ModelException.class, () -> Tokenizer.load(small, cfg)).getMessage();
        // Its vocabulary (bytes 0-255) is already past the model; the added tokens are checked where used.
        assertTrue(msg.contains("ids up to 255") && msg.contains("vocab_size is 100"), msg);
    }

    /** Greedy continuation by recomputing the whole sequence each step, one prompt at a time. */
    static long[] greedyByRecomputation(long[] prompt, int n) {
        long[] seq = prompt.clone();
        long[] out = new long[n];
        for (int t = 0; t < n; t++) {
            try (NDManager m = manager.newSubManager()) {
                NDArray ids = m.create(seq, new Shape(1, seq.length));
                NDArray mask = ids.onesLike();
                NDArray logits = model.forward(ids, m.arange(0, seq.length, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, -1), mask, null);
                out[t] = logits.get("0, -1, :").argMax().getLong();
            }
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = out[t];
        }
        return out;
    }

    @Test
    void batchedCachedGreedyEqualsRecomputationPerPrompt() {
        List<long[]> prompts = List.of(tokenizer.encode("7*8="), tokenizer.encode("a longer prompt: 12+30="));
        SamplingConfig greedy = new SamplingConfig(0, 0, 1, 12, List.of(), 0);
        List<Generation> gens = new Generator(model, tokenizer).generate(manager, prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            long[] want = greedyByRecomputation(prompts.get(i), gens.get(i).tokens().length);
            assertArrayEquals(want, gens.get(i).tokens(), "prompt " + i);
        }
    }

    @Test
    void unpaddedBatchDecodesWithoutAMaskAndEqualsRecomputation() {
        // Prompts of one length: the decoding steps run with no attention mask at all.
        List<long[]> prompts = List.of(tokenizer.encode("1+2="), tokenizer.encode("8-5="), tokenizer.encode("zzzz"));
        SamplingConfig greedy = new SamplingConfig(0, 0, 1, 12, List.of(), 0);
        List<Generation> gens = new Generator(model, tokenizer).generate(manager, prompts, greedy);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(greedyByRecomputation(prompts.get(i), 12), gens.get(i).tokens(), "prompt " + i);
        }
    }

    @Test
    void aSequenceThatStopsEarlyDoesNotChangeTheOthers() {
        // The stopped sequence's later (pad) tokens are not masked; the others must not see them.
        long[] a = tokenizer.encode("x");
        long[] b = tokenizer.encode("q");
        Generator g = new Generator(model, tokenizer);
        String free = g.generate(manager, List.of(a), new SamplingConfig(0, 0, 1, 16, List.of(), 0)).get(0).text();
        String stop = free.substring(1, 3);
        List<Generation> both = g.generate(manager, List.of(a, b), new SamplingConfig(0, 0, 1, 16, List.of(stop), 0));
        assertEquals("stop", both.get(0).finishReason());
        long[] alone = g.generate(manager, List.of(b), new SamplingConfig(0, 0, 1, 16, List.of(stop), 0)).get(0).tokens();
        assertArrayEquals(alone, both.get(1).tokens());
        assertTrue(both.get(0).tokens().length < both.get(1).tokens().length, "the first sequence stopped before the second");
    }

    @Test
    void samplingIsSeededAndLogProbsAreTheModels() {
        List<long[]> prompts = List.of(tokenizer.encode("3+4="), tokenizer.encode("9-2="));
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 1.0, 10, List.of(), 42);
        Generator g = new Generator(model, tokenizer);
        List<Generation> a = g.generate(manager, prompts, cfg);
        List<Generation> b = g.generate(manager, prompts, cfg);
        assertArrayEquals(a.get(0).tokens(), b.get(0).tokens());
        assertArrayEquals(a.get(1).logProbs(), b.get(1).logProbs());
        List<Generation> c = g.generate(manager, prompts, cfg.withSeed(43));
        assertNotEquals(java.util.Arrays.toString(a.get(0).tokens()) + java.util.Arrays.toString(a.get(1).tokens()),
                java.util.Arrays.toString(c.get(0).tokens()) + java.util.Arrays.toString(c.get(1).tokens()));
        // The reported log-probs are the teacher-forced log-probs of the same tokens.
        try (NDManager m = manager.newSubManager()) {
            TeacherForcing.Scored s = TeacherForcing.score(model, m, prompts,
                    List.of(a.get(0).tokens(), a.get(1).tokens()), tokenizer.padId());
            NDArray logp = s.logits().logSoftmax(-1).gather(s.tokens().expandDims(-1), -1).squeeze(-1);
            for (int i = 0; i < 2; i++) {
                float[] want = logp.get(i).toFloatArray();
                float[] got = a.get(i).logProbs();
                for (int j = 0; j < got.length; j++) {
                    assertEquals(want[j], got[j], 2e-4, "sequence " + i + " token " + j);
                }
            }
        }
    }

    @Test
    void stopStringsEndASequenceAndAreCut() {
        List<long[]> prompts = List.of(tokenizer.encode("x"));
        Generator g = new Generator(model, tokenizer);
        Generation free = g.generate(manager, prompts, new SamplingConfig(0, 0, 1, 20, List.of(), 0)).get(0);
        assertEquals("length", free.finishReason());
        String stop = free.text().substring(3, 5);
        Generation stopped = g.generate(manager, prompts, new SamplingConfig(0, 0, 1, 20, List.of(stop), 0)).get(0);
        assertEquals("stop", stopped.finishReason());
        assertEquals(free.text().substring(0, free.text().indexOf(stop)), stopped.text());
    }

    @Test
    void topKOneIsGreedy() {
        List<long[]> prompts = List.of(tokenizer.encode("5+5="));
        Generator g = new Generator(model, tokenizer);
        Generation greedy = g.generate(manager, prompts, new SamplingConfig(0, 0, 1, 8, List.of(), 0)).get(0);
        Generation topK = g.generate(manager, prompts, new SamplingConfig(1.0, 1, 1, 8, List.of(), 99)).get(0);
        assertArrayEquals(greedy.tokens(), topK.tokens());
    }

    @Test
    void teacherForcingMatchesUnpaddedForwardAndCarriesGradients() {
        List<long[]> contexts = List.of(tokenizer.encode("ctx one "), tokenizer.encode("c2 "));
        List<long[]> responses = List.of(tokenizer.encode("ab"), tokenizer.encode("longer reply"));
        try (NDManager m = manager.newSubManager()) {
            TeacherForcing.Scored s = TeacherForcing.score(model, m, contexts, responses, tokenizer.padId());
            assertEquals(new Shape(2, 12, model.config().vocabSize()), s.logits().getShape());
            for (int i = 0; i < 2; i++) {
                long[] seq = concat(contexts.get(i), responses.get(i));
                NDArray ids = m.create(seq, new Shape(1, seq.length));
                NDArray full = model.forward(ids, m.arange(0, seq.length, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, -1),
                        ids.onesLike(), null);
                int c = contexts.get(i).length;
                for (int j = 0; j < responses.get(i).length; j++) {
                    assertArrayEquals(full.get("0, " + (c - 1 + j) + ", :").toFloatArray(),
                            s.logits().get(i + ", " + j + ", :").toFloatArray(), 1e-4f);
                }
                assertEquals(responses.get(i).length, (int) s.mask().get(i).sum().getFloat());
            }
            NDArray w = model.parameters().get("model.layers.0.self_attn.q_proj.weight");
            w.setRequiresGradient(true);
            try (Autograd.Recording rec = Autograd.record()) {
                TeacherForcing.Scored g = TeacherForcing.score(model, m, contexts, responses, tokenizer.padId());
                rec.backward(g.logits().logSoftmax(-1).mul(g.mask().expandDims(-1)).sum());
            }
            assertTrue(w.getGradient().abs().sum().getFloat() > 0, "gradient reaches the parameters");
            w.setRequiresGradient(false);
        }
    }

    static long[] concat(long[] a, long[] b) {
        long[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
