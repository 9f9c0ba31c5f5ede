package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;

class PretrainerTest {
    @TempDir
    Path dir;

    @Test
    void corpusTeachesSolvingAndReadingTheTeacherContext() {
        TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic"));
        var tasks = Arithmetic.generate(ArithmeticConfig.DEFAULT, 50, 1, "p");
        List<PretrainCorpus.Example> corpus = PretrainCorpus.arithmetic(tasks, contexts, 0.5, 3);
        assertEquals(150, corpus.size());
        int plainCorrect = 0;
        for (int i = 0; i < tasks.size(); i++) {
            String answer = String.valueOf(tasks.get(i).get("answer"));
            plainCorrect += corpus.get(3 * i).answer().equals(answer) ? 1 : 0;
            assertEquals(answer, corpus.get(3 * i + 1).answer(), "with a solution in context the answer is always right");
            assertTrue(corpus.get(3 * i + 1).user().contains("\nCorrect: " + answer), "the solution is shown in the context");
            assertTrue(corpus.get(3 * i + 2).user().contains("\nFeedback: The answer "), "feedback on a wrong answer is shown");
        }
        assertTrue(plainCorrect > 10 && plainCorrect < 40, "plain solving is imperfect: " + plainCorrect + "/50");
    }

    @Test
    void lossFallsOnASmallCorpus() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path model = dir.resolve("m");
            DecoderLM lm = TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 512), 0, m);
            try (Tokenizer tok = Tokenizer.load(model, lm.config())) {
                List<PretrainCorpus.Example> corpus = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    corpus.add(new PretrainCorpus.Example(i + "+1=", String.valueOf(i + 1)));
                }
                List<Double> losses = new ArrayList<>();
                Pretrainer.train(lm, tok, corpus, 60, 8, 3e-3, 0, losses::add);
                double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                double last = losses.subList(55, 60).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
                assertTrue(last < first * 0.7, "loss " + first + " -> " + last);
            }
        }
    }
}
