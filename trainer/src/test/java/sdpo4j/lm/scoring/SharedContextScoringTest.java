package sdpo4j.lm.scoring;

import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Shared-context scoring against full recomputation ({@link TeacherForcing#score}) on the golden
 * models of every family, within 1e-5 of the largest logit: right-padded batches with contexts and responses of mixed lengths,
 * contexts repeated across rows (as a group's teacher contexts are), distinct contexts with a
 * long common start, and unique ones.
 */
class SharedContextScoringTest {
    static NDManager manager;
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final long PAD = 0;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void logitsEqualFullRecomputationOnRepeatedMixedLengthContexts(String name) {
        Random rnd = new Random(name.hashCode());
        long[][] distinct = {ids(rnd, 9), ids(rnd, 4), ids(rnd, 1), ids(rnd, 6)};
        List<long[]> contexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        int[] use = {0, 1, 0, 3, 2, 0, 1, 3, 3};
        int[] lengths = {5, 2, 1, 7, 3, 5, 4, 1, 6};
        for (int i = 0; i < use.length; i++) {
            // Equal contents in separate arrays: sharing goes by the ids, not by the array.
            contexts.add(distinct[use[i]].clone());
            responses.add(ids(rnd, lengths[i]));
        }
        assertSame(name, contexts, responses);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void logitsEqualFullRecomputationWhenDistinctContextsShareTheirStart(String name) {
        Random rnd = new Random(name.hashCode() + 1);
        // Two groups: within each, contexts share a long start (the prompt) and differ after it
        // (the solution or feedback), some repeat; across groups nothing is shared.
        long[] promptA = ids(rnd, 18);
        long[] promptB = ids(rnd, 17);
        long[][] tails = {ids(rnd, 3), ids(rnd, 1), ids(rnd, 4), {}, ids(rnd, 2)};
        List<long[]> contexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        int[] tail = {0, 1, 0, 2, 3, 4, 1, 0};
        for (int i = 0; i < tail.length; i++) {
            long[] prompt = i % 3 == 2 ? promptB : promptA;
            long[] c = java.util.Arrays.copyOf(prompt, prompt.length + tails[tail[i]].length);
            System.arraycopy(tails[tail[i]], 0, c, prompt.length, tails[tail[i]].length);
            contexts.add(c);
            responses.add(ids(rnd, 1 + rnd.nextInt(6)));
        }
        contexts.add(ids(rnd, 5)); // shares nothing
        responses.add(ids(rnd, 3));
        assertSame(name, contexts, responses);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void logitsEqualFullRecomputationWhenContextsThatShareNothingGoWholeIntoTheSecondPass(String name) {
        Random rnd = new Random(name.hashCode() + 3);
        // Six feedback-like contexts share an 18-token start and differ in 10 tokens after it; two
        // solution-like ones share nothing and are 12 and 3 tokens. Prefixes (all but the last
        // token): computing those two whole next to the rests (18 + 8 x 11 positions) beats making
        // them starts of their own (3 x 18 + 8 x 9) and one pass over the whole prefixes (8 x 27)
        // when a pass costs nothing, so the second pass starts them at position 0 on a first-pass
        // row with every position masked.
        long[] prompt = ids(rnd, 18);
        List<long[]> contexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long[] c = java.util.Arrays.copyOf(prompt, 28);
            System.arraycopy(ids(rnd, 10), 0, c, 18, 10);
            contexts.add(c);
            responses.add(ids(rnd, 1 + rnd.nextInt(4)));
            if (i % 2 == 0) {
                contexts.add(c.clone());
                responses.add(ids(rnd, 2));
            }
        }
        long[] loner = ids(rnd, 12);
        long[] shortLoner = ids(rnd, 3);
        for (int i = 0; i < 3; i++) {
            contexts.add(loner);
            responses.add(ids(rnd, 1 + i));
        }
        contexts.add(shortLoner);
        responses.add(ids(rnd, 4));
        assertSame(name, contexts, responses);
        assertSame(name, contexts, responses, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa"})
    void edgeCasesEqualFullRecomputation(String name) {
        Random rnd = new Random(3);
        // Every context one token long: nothing to prefill.
        assertSame(name, List.of(ids(rnd, 1), ids(rnd, 1)), List.of(ids(rnd, 3), ids(rnd, 1)));
        // One-token responses only: packed, two share a row; unpacked, the pass after the prefix
        // is a single position (the model's decoding path, with the packed pass's mask).
        long[] c = ids(rnd, 5);
        List<long[]> contexts = List.of(c, c.clone(), ids(rnd, 7));
        List<long[]> oneToken = List.of(ids(rnd, 1), ids(rnd, 1), ids(rnd, 1));
        assertSame(name, contexts, oneToken);
        assertSame(name, contexts, oneToken, 1);
        // No context repeats.
        assertSame(name, List.of(ids(rnd, 3), ids(rnd, 8)), List.of(ids(rnd, 4), ids(rnd, 2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama-gqa", "qwen2-bias", "llama3-rope", "qwen3", "mistral-window", "gemma3", "olmo2",
        "phi3-window"})
    void packedAndUnpackedResponsePassesEqualFullRecomputation(String name) {
        Random rnd = new Random(name.hashCode() + 2);
        long[][] distinct = {ids(rnd, 7), ids(rnd, 3), ids(rnd, 11)};
        List<long[]> contexts = new ArrayList<>();
        List<long[]> responses = new ArrayList<>();
        int[] use = {0, 0, 1, 0, 2, 1, 0, 0, 2, 1};
        int[] lengths = {2, 1, 3, 0, 4, 1, 2, 3, 1, 2};
        for (int i = 0; i < use.length; i++) {
            contexts.add(distinct[use[i]]);
            responses.add(ids(rnd, lengths[i]));
        }
        // 1: rows as wide as the longest response; 5: some rows hold several; the default: up to 32.
        for (int minPacked : new int[] {1, 5, SharedContextScoring.MIN_PACKED}) {
            assertSame(name, contexts, responses, minPacked);
        }
    }

    private static void assertSame(String name, List<long[]> contexts, List<long[]> responses) {
        assertSame(name, contexts, responses, SharedContextScoring.MIN_PACKED);
    }

    /**
     * Every response pass (separate, after the rests, the cheaper) against full recomputation, with
     * plans chosen by positions alone (a pass costing nothing: the two- and three-pass plans on these
     * small inputs) and with the default pass cost.
     */
    private static void assertSame(String name, List<long[]> contexts, List<long[]> responses, int minPacked) {
        for (TeacherPassPlan.ResponsePass where : TeacherPassPlan.ResponsePass.values()) {
            for (int pass : new int[] {0, TeacherPassPlan.PASS_POSITIONS}) {
                assertSame(name + " " + where + " pass " + pass, contexts, responses, minPacked, where, pass);
            }
        }
    }

    private static void assertSame(String label, List<long[]> contexts, List<long[]> responses, int minPacked,
            TeacherPassPlan.ResponsePass where, int passPositions) {
        String name = label.substring(0, label.indexOf(' '));
        try (NDManager m = manager.newSubManager()) {
            DecoderLM model = HfCheckpoint.load(GOLDEN.resolve(name), m);
            TeacherForcing.Scored full = TeacherForcing.score(model, m, contexts, responses, PAD);
            TeacherForcing.Scored shared = SharedContextScoring.score(model, m, contexts, responses, PAD, minPacked, where, passPositions);
            assertEquals(full.logits().getShape(), shared.logits().getShape(), name + ": logits shape");
            assertArrayEquals(full.tokens().toLongArray(), shared.tokens().toLongArray(), name + ": tokens");
            float[] mask = full.mask().toFloatArray();
            assertArrayEquals(mask, shared.mask().toFloatArray(), name + ": mask");
            float[] want = full.logits().toFloatArray();
            float[] got = shared.logits().toFloatArray();
            int vocab = model.config().vocabSize();
            double scale = 0;
            for (int i = 0; i < want.length; i++) {
                scale = mask[i / vocab] > 0 ? Math.max(scale, Math.abs(want[i])) : scale;
            }
            // Relative to the largest logit: the cached pass folds the input norm and 1/sqrt(D)
            // into the q/k/v weights, which rounds differently (measured: at most 3.3e-5 on
            // logits up to 9.5, qwen2-bias; 1.9e-6 on GPT-2, which has no folded weights).
            double tol = 1e-5 * Math.max(1, scale);
            for (int p = 0; p < mask.length; p++) {
                for (int v = 0; mask[p] > 0 && v < vocab; v++) {
                    int i = p * vocab + v;
                    assertEquals(want[i], got[i], tol, label + " at response position " + p + " token " + v);
                }
            }
            assertTrue(scale > 1, "logits too small to test anything: " + scale);
        }
    }

    private static long[] ids(Random rnd, int n) {
        long[] x = new long[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1 + rnd.nextInt(39);
        }
        return x;
    }
}
