package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.arithmetic.ArithmeticTool;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;

class PretrainerTest {
    @TempDir
    Path dir;

    /** The corpus of {@code tasks} at the default mix, contexts rendered through prompts/{@code env}/. */
    private static List<PretrainCorpus.Example> corpus(String env, List<Map<String, Object>> tasks) {
        TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), env));
        return PretrainCorpus.arithmetic(tasks, contexts, new PretrainCorpus.Mix(0.3, 0.3, FeedbackDetail.INFORMATIVE), 3);
    }

    @Test
    void corpusTeachesSolvingPartlyAndReadingTheTeacherContext() {
        // 1000 tasks of one-digit + and - repeat each of the 200 expressions about 5 times
        var tasks = Arithmetic.generate(ArithmeticConfig.builder().digits(1).operators(List.of("+", "-")).build(), 1000, 1, "p");
        List<PretrainCorpus.Example> corpus = corpus("arithmetic", tasks);
        assertEquals(1000 * PretrainCorpus.EXAMPLES_PER_TASK, corpus.size());
        Map<String, Set<String>> plainAnswers = new HashMap<>();
        Map<String, Integer> plainRight = new HashMap<>();
        int n = PretrainCorpus.EXAMPLES_PER_TASK;
        for (int i = 0; i < tasks.size(); i++) {
            String prompt = (String) tasks.get(i).get("prompt");
            String answer = String.valueOf(tasks.get(i).get("answer"));
            assertEquals(prompt, corpus.get(n * i).user());
            plainAnswers.computeIfAbsent(prompt, p -> new HashSet<>()).add(corpus.get(n * i).answer());
            plainRight.merge(prompt, corpus.get(n * i).answer().equals(answer) ? 1 : 0, Integer::sum);
            assertEquals(answer, corpus.get(n * i + 1).answer(), "with a solution in context the answer is always right");
            assertTrue(corpus.get(n * i + 1).user().contains("\nCorrect: " + answer), "the solution is shown in the context");
            for (int k = 2; k < n; k++) {
                String withFeedback = corpus.get(n * i + k).user();
                assertTrue(withFeedback.matches("(?s).*\nFeedback: The answer -?\\d+ is \\d+ too (small|large) \\(.*\\)\\..*"),
                        "informative feedback on a wrong attempt is shown: " + withFeedback);
                assertEquals(answer, corpus.get(n * i + k).answer(), "after feedback the answer is the corrected one");
            }
            String misconception = corpus.get(n * i + 2).user();
            if (!corpus.get(n * i).answer().equals(answer)) {
                assertTrue(misconception.contains("The answer " + corpus.get(n * i).answer() + " is "),
                        "the first feedback example is on the expression's misconception: " + misconception);
            }
        }
        int known = 0;
        int mistaken = 0;
        for (Map.Entry<String, Set<String>> e : plainAnswers.entrySet()) {
            // a known expression is always answered right; another one right or with its one misconception
            assertTrue(e.getValue().size() <= 2, e.getKey() + " " + e.getValue());
            known += e.getValue().size() == 1 && plainRight.get(e.getKey()) > 0 ? 1 : 0;
            mistaken += e.getValue().size() == 2 || plainRight.get(e.getKey()) == 0 ? 1 : 0;
        }
        double knownShare = known / (double) plainAnswers.size();
        assertTrue(knownShare > 0.2 && knownShare < 0.45, "share answered always right: " + knownShare);
        assertTrue(mistaken > 100, "expressions with a misconception: " + mistaken);
    }

    @Test
    void toolCorpusKeepsTheEarlierTurnsAndRewritesOnlyTheLastUserTurn() {
        var tasks = ArithmeticTool.generate(ArithmeticConfig.builder().digits(1).operators(List.of("+", "-")).build(), 600, 2, "p");
        List<PretrainCorpus.Example> corpus = corpus("arithmetic-tool", tasks);
        int n = PretrainCorpus.EXAMPLES_PER_TASK;
        assertEquals(600 * n, corpus.size());
        Map<String, Set<String>> plainAnswers = new HashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            @SuppressWarnings("unchecked")
            List<Map<String, String>> turns = (List<Map<String, String>>) tasks.get(i).get("prompt");
            String last = turns.get(3).get("content");
            String answer = String.valueOf(tasks.get(i).get("answer"));
            for (int k = 0; k < n; k++) {
                PretrainCorpus.Example e = corpus.get(n * i + k);
                assertEquals(3, e.history().size(), "user, call, tool result kept");
                for (int t = 0; t < 3; t++) {
                    assertEquals(turns.get(t).get("role"), e.history().get(t).role());
                    assertEquals(turns.get(t).get("content"), e.history().get(t).content(), "turn " + t + " as generated");
                }
                assertEquals("tool", e.conversation().get(2).role());
                assertEquals(e.user(), e.conversation().get(3).content(), "the last turn is the (rewritten) user turn");
                assertTrue(e.user().startsWith(last), "the last user turn's question comes first: " + e.user());
                if (k > 0) {
                    assertEquals(answer, e.answer(), "with a teacher context the answer is right");
                }
            }
            assertEquals(last, corpus.get(n * i).user(), "the plain example is the conversation as the policy sees it");
            assertTrue(corpus.get(n * i + 1).user().contains("\nCorrect: " + answer));
            assertTrue(corpus.get(n * i + 2).user().contains("\nFeedback: The answer "));
            plainAnswers.computeIfAbsent(last, q -> new HashSet<>()).add(corpus.get(n * i).answer());
        }
        // The misconception belongs to the last question, whatever bracket led to it: at most two answers each.
        plainAnswers.forEach((q, answers) -> assertTrue(answers.size() <= 2, q + " " + answers));
        assertTrue(plainAnswers.values().stream().anyMatch(a -> a.size() == 2), "some questions are answered both ways");
    }

    @Test
    void anUnknownEnvironmentIsRefusedByName() {
        var e = assertThrows(sdpo4j.config.ConfigException.class, () -> new BuiltInModel.Options("countdown", 2, 128, 10, 4,
                1e-3, 10, 0.3, 0.3, FeedbackDetail.INFORMATIVE, 0));
        assertTrue(e.getMessage().contains("countdown") && e.getMessage().contains("arithmetic-tool"), e.getMessage());
    }

    /** Weights after a few steps of pretraining on the arithmetic corpus, all parameters in order. */
    private List<float[]> pretrained(long seed, String name) {
        TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic"));
        List<PretrainCorpus.Example> corpus = PretrainCorpus.arithmetic(Arithmetic.generate(ArithmeticConfig.DEFAULT, 16, seed, "p"),
                contexts, new PretrainCorpus.Mix(0.3, 0.3, FeedbackDetail.INFORMATIVE), seed);
        try (NDManager m = NDManager.newBaseManager()) {
            Path model = dir.resolve(name);
            DecoderLM lm = TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), seed, m);
            try (Tokenizer tok = Tokenizer.load(model, lm.config())) {
                Pretrainer.train(lm, tok, corpus, 8, 4, 3e-3, seed, null);
                List<float[]> weights = new ArrayList<>();
                lm.parameterList().forEach(p -> weights.add(p.toFloatArray()));
                return weights;
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        // BuiltInModel draws everything from the seed (weights, corpus, order): in one process (one
        // thread count) two runs agree bit for bit, and another seed gives other weights.
        List<float[]> a = pretrained(5, "a");
        List<float[]> b = pretrained(5, "b");
        List<float[]> c = pretrained(6, "c");
        assertEquals(a.size(), b.size());
        boolean differs = false;
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
            differs |= !Arrays.equals(a.get(i), c.get(i));
        }
        assertTrue(differs, "another seed gives other weights");
    }

    @Test
    void warmupCosineRisesLinearlyThenDecaysTowardsZero() {
        var lr = Pretrainer.warmupCosine(0.004, 10, 110);
        assertEquals(0.0004, lr.applyAsDouble(0), 1e-12);
        assertEquals(0.004, lr.applyAsDouble(9), 1e-12, "the peak at the end of the warm-up");
        assertEquals(0.004, lr.applyAsDouble(10), 1e-12, "the decay starts at the peak");
        assertEquals(0.002, lr.applyAsDouble(60), 1e-12, "half way through the decay, half the peak (cos pi/2 = 0)");
        assertTrue(lr.applyAsDouble(109) > 0 && lr.applyAsDouble(109) < 0.004 * 1e-3, "the last step near 0: " + lr.applyAsDouble(109));
        for (int s = 10; s < 109; s++) {
            assertTrue(lr.applyAsDouble(s + 1) < lr.applyAsDouble(s), "decreasing after the warm-up, step " + s);
        }
    }

    /** Runs {@code body} on a new one-block model (seed 0) in {@code dir/name} with its tokenizer. */
    private void withTinyModel(String name, BiConsumer<DecoderLM, Tokenizer> body) {
        try (NDManager m = NDManager.newBaseManager()) {
            Path model = dir.resolve(name);
            DecoderLM lm = TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
            try (Tokenizer tok = Tokenizer.load(model, lm.config())) {
                body.accept(lm, tok);
            }
        }
    }

    @Test
    void aStepAtRateZeroLeavesTheWeights() {
        // The schedule is what each step applies: at rate 0 (no weight decay) nothing moves; at a rate, something does.
        withTinyModel("z", (lm, tok) -> {
            List<PretrainCorpus.Example> corpus = List.of(new PretrainCorpus.Example("1+1=", "2"));
            List<float[]> before = new ArrayList<>();
            lm.parameterList().forEach(p -> before.add(p.toFloatArray()));
            Pretrainer.train(lm, tok, corpus, 3, 2, s -> 0.0, 0, null);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), lm.parameterList().get(i).toFloatArray(), "parameter " + i);
            }
            Pretrainer.train(lm, tok, corpus, 1, 2, s -> 1e-2, 0, null);
            boolean moved = false;
            for (int i = 0; i < before.size(); i++) {
                moved |= !Arrays.equals(before.get(i), lm.parameterList().get(i).toFloatArray());
            }
            assertTrue(moved, "a step at rate 0.01 moves the weights");
        });
    }

    @Test
    void lossFallsOnASmallCorpus() {
        withTinyModel("m", (lm, tok) -> {
            List<PretrainCorpus.Example> corpus = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                corpus.add(new PretrainCorpus.Example(i + "+1=", String.valueOf(i + 1)));
            }
            List<Double> losses = new ArrayList<>();
            Pretrainer.train(lm, tok, corpus, 60, 8, 3e-3, 0, losses::add);
            double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double last = losses.subList(55, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
        });
    }
}
