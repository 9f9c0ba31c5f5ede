package sdpo4j.discover;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.Environment;
import sdpo4j.env.Score;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.TinyModels;

/** The round logic of {@link Discovery} on a real tiny model: stopping, budget accounting, and the reset between questions. */
class DiscoveryTest {
    @TempDir
    Path dir;
    NDManager m;
    DecoderLM base;
    Tokenizer tokenizer;
    TeacherContexts contexts;

    /** An environment whose verdict is a rule on the response text, with feedback on every failure. */
    record Rule(Predicate<String> correct) implements Environment {
        @Override
        public String name() {
            return "rule";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public Score score(Task task, String response) {
            boolean ok = correct.test(response);
            return new Score(ok ? 1 : 0, ok, ok ? "" : "the answer '" + response + "' is wrong");
        }
    }

    @BeforeEach
    void tinyModel() {
        m = NDManager.newBaseManager();
        Path model = dir.resolve("tiny");
        TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 2, 64, 256), 0, m);
        base = HfCheckpoint.load(model, m);
        tokenizer = Tokenizer.load(model, ModelConfig.read(model));
        contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "default"), sdpo4j.env.RepromptConfig.DEFAULT);
    }

    @AfterEach
    void close() {
        tokenizer.close();
        m.close();
    }

    DiscoverConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("model=unused", "budget=10", "round-size=4", "max-new-tokens=4", "lr=0.01"));
        all.addAll(List.of(sets));
        return ConfigLoader.load(DiscoverConfig.class, DiscoverConfig.DEFAULT, null, all);
    }

    static Task task(String id) {
        return new Task(id, "1+2=", JsonNodeFactory.instance.objectNode());
    }

    @Test
    void aRoundWithASuccessIsTheLastAndTheFirstSuccessCounts() {
        // success iff the response's first character has an even code: about half the attempts
        Discovery d = new Discovery(config("budget=40"), base, tokenizer,
                new Rule(r -> !r.isEmpty() && r.charAt(0) % 2 == 0), contexts);
        int found = 0;
        for (DiscoveryMethod method : DiscoveryMethod.values()) {
            for (int q = 0; q < 3; q++) {
                Discovery.Trajectory t = d.solve(m, task("q" + q), q, method, 0);
                List<Discovery.Attempt> log = t.log();
                assertEquals(t.attempts(), log.size());
                int first = log.stream().filter(Discovery.Attempt::success).mapToInt(Discovery.Attempt::attempt).findFirst().orElse(0);
                assertEquals(first, t.discoveredAt());
                if (t.discovered()) {
                    found++;
                    int round = log.get(first - 1).round();
                    // the round of the first success is sampled whole, and nothing after it
                    assertEquals(round * 4, t.attempts(), method + " " + log);
                    assertEquals(method == DiscoveryMethod.SDPO ? round - 1 : 0, t.steps());
                }
                for (int i = 0; i < log.size(); i++) {
                    assertEquals(i + 1, log.get(i).attempt());
                    assertEquals(i / 4 + 1, log.get(i).round());
                }
            }
        }
        assertTrue(found > 0, "no search found anything: the test checked nothing");
    }

    @Test
    void aSuccessInTheFirstRoundStopsThereForEveryMethod() {
        Discovery d = new Discovery(config(), base, tokenizer, new Rule(r -> true), contexts);
        for (DiscoveryMethod method : DiscoveryMethod.values()) {
            Discovery.Trajectory t = d.solve(m, task("q"), 0, method, 0);
            assertEquals(1, t.discoveredAt());
            assertEquals(4, t.attempts());
            assertEquals(0, t.steps());
            assertEquals(t.log().get(0).tokens(), t.tokensAt());
        }
    }

    @Test
    void withoutASuccessTheBudgetIsSpentExactlyAndSdpoStepsBetweenRounds() {
        Discovery d = new Discovery(config(), base, tokenizer, new Rule(r -> false), contexts);
        for (DiscoveryMethod method : DiscoveryMethod.values()) {
            Discovery.Trajectory t = d.solve(m, task("q"), 0, method, 0);
            assertFalse(t.discovered());
            assertEquals(10, t.attempts());
            assertEquals(List.of(1, 1, 1, 1, 2, 2, 2, 2, 3, 3), t.log().stream().map(Discovery.Attempt::round).toList());
            // rounds of 4, 4 and 2; a step after each failed round but the last
            assertEquals(method == DiscoveryMethod.SDPO ? 2 : 0, t.steps());
            assertEquals(t.log().stream().mapToLong(Discovery.Attempt::tokens).sum(), t.tokensAt());
        }
    }

    @Test
    void everyQuestionStartsFromTheInitialWeights() {
        everyQuestionStartsFresh(config());
    }

    @Test
    void everyQuestionStartsFromFreshAdapters() {
        everyQuestionStartsFresh(config("lora.rank=2"));
    }

    private void everyQuestionStartsFresh(DiscoverConfig cfg) {
        List<float[]> initial = flat(base);
        List<List<float[]>> starts = new ArrayList<>();
        List<List<float[]>> afterSteps = new ArrayList<>();
        List<List<float[]>> startsTrainable = new ArrayList<>();
        Discovery d = new Discovery(cfg, base, tokenizer, new Rule(r -> false), contexts)
                .onQuestionStart(s -> {
                    starts.add(flat(s));
                    startsTrainable.add(trainable(s));
                })
                .onStep(s -> afterSteps.add(trainable(s)));
        d.solve(m, task("q0"), 0, DiscoveryMethod.SDPO, 0);
        d.solve(m, task("q1"), 1, DiscoveryMethod.SDPO, 0);
        assertEquals(2, starts.size());
        assertEquals(4, afterSteps.size());
        // the steps moved the student: a reset has something to undo
        assertFalse(same(startsTrainable.get(0), afterSteps.get(1)), "the SDPO steps left the weights unchanged");
        // question 2 starts where question 1 did: the base weights (and the same fresh adapters), not where it ended
        assertTrue(same(startsTrainable.get(0), startsTrainable.get(1)), "question 2 did not start from the initial weights");
        assertTrue(same(initial, starts.get(1)));
        // the base itself is never trained
        assertTrue(same(initial, flat(base)));
    }

    private static List<float[]> flat(DecoderLM model) {
        List<float[]> out = new ArrayList<>();
        model.parameterList().forEach(p -> out.add(p.toFloatArray()));
        return out;
    }

    private static List<float[]> trainable(DecoderLM model) {
        List<float[]> out = new ArrayList<>();
        for (NDArray p : model.trainableList()) {
            out.add(p.toFloatArray());
        }
        return out;
    }

    private static boolean same(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            try {
                assertArrayEquals(a.get(i), b.get(i));
            } catch (AssertionError e) {
                return false;
            }
        }
        return true;
    }
}
