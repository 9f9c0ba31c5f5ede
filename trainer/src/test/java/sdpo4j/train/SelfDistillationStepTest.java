package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.Datasets;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.optim.Autograd;

class SelfDistillationStepTest {
    @TempDir
    Path dir;
    /** Where the teacher starts, when not from the student's weights. */
    Path teacherModel;
    /** Tasks in the dataset, and prompts per rollout batch. */
    int taskCount = 3;

    /** A student, its teacher, an optimizer and the step, on three arithmetic tasks. */
    record Setup(DecoderLM student, DecoderLM teacher, Tokenizer tokenizer, List<Task> tasks, AdamW adam, SelfDistillationStep step)
            implements AutoCloseable {
        @Override
        public void close() {
            tokenizer.close();
        }
    }

    Setup setup(NDManager m, String... sets) {
        return setup(m, new Arithmetic(new ArithmeticConfig(2, List.of("+"), 2, true)), sets);
    }

    Setup setup(NDManager m, sdpo4j.env.Environment env, String... sets) {
        Path model = dir.resolve("m");
        if (!model.toFile().exists()) {
            TinyModels.create(model, TinyModels.config("llama", 1, 32, 2, 1, 64, 256), 3, m);
            Datasets.write(dir.resolve("d.jsonl"), Arithmetic.generate(ArithmeticConfig.DEFAULT, taskCount, 1, "t"));
        }
        List<String> all = new ArrayList<>(List.of("model=" + model, "dataset=" + dir.resolve("d.jsonl"), "prompts=" + taskCount,
                "lr=0.001", "warmup-steps=0", "ema-rate=0.5", "objective.divergence.top-k=20"));
        all.addAll(List.of(sets));
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, all);
        TrainingModels models = TrainingModels.load(cfg, null, m);
        DecoderLM student = models.student();
        DecoderLM teacher = teacherModel != null ? HfCheckpoint.load(teacherModel, m) : models.teacher();
        Tokenizer tok = Tokenizer.load(model, student.config());
        AdamW adam = new AdamW(student.trainableParameters(), m, cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEpsilon(), cfg.weightDecay());
        SelfDistillationStep step = new SelfDistillationStep(student, teacher, tok, env,
                new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic")), cfg, adam);
        return new Setup(student, teacher, tok, Datasets.read(dir.resolve("d.jsonl"), new Arithmetic(ArithmeticConfig.DEFAULT)),
                adam, step);
    }

    static List<RolloutGroup> rollouts(NDManager m, Setup s, int g, long seed) {
        return s.step().rollouts(m, s.tasks(), g, new SamplingConfig(1.0, 0, 1, 6, List.of(), seed));
    }

    static final String PARAM = "model.layers.0.mlp.up_proj.weight";

    /** The largest absolute difference between two weight arrays. */
    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void anSdpoStepUpdatesTheStudentAndMovesTheTeacher() {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m)) {
            float[] before = s.student().parameters().get(PARAM).toFloatArray();
            List<RolloutGroup> groups = rollouts(m, s, 4, 1);
            assertEquals(3, groups.size());
            assertEquals(4, groups.get(0).responses().size());
            Map<String, Double> metrics = s.step().update(m, groups, new SplittableRandom(0)).metrics();
            for (String k : List.of("loss", "kl", "entropy", "teacher_frac", "feedback_used_frac", "reward_mean", "grad_norm",
                    "learning_rate", "teacher_seconds", "train_seconds")) {
                assertTrue(metrics.containsKey(k) && Double.isFinite(metrics.get(k)), k + " in " + metrics);
            }
            // Wrong answers get feedback, so every response has a teacher here.
            assertEquals(1.0, metrics.get("teacher_frac"), 1e-9);
            float[] after = s.student().parameters().get(PARAM).toFloatArray();
            float[] teacher = s.teacher().parameters().get(PARAM).toFloatArray();
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved += Math.abs(after[i] - before[i]);
                // EMA with rate 0.5 from the same start: the teacher sits halfway.
                assertEquals((before[i] + after[i]) / 2, teacher[i], 1e-6);
            }
            assertTrue(moved > 0, "the student moved");
            for (NDArray p : s.student().parameterList()) {
                assertEquals(0f, p.getGradient().abs().sum().getFloat(), "gradients are zeroed after the update");
            }
        }
    }

    static final String ADAPTER = "model.layers.0.self_attn.v_proj.lora_B.weight";

    /**
     * LoRA: the base is held once and frozen, only the adapters move, and the teacher is base +
     * EMA(adapters): rate 1 gives the live adapters, rate 0 the initial ones, 0.5 the midpoint.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.5, 1.0})
    void aLoraStepTrainsTheAdaptersAndTheTeacherIsTheirEma(double rate) {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, "lora.rank=4", "lora.targets=[q, v, up, down]",
                "ema-rate=" + rate)) {
            assertTrue(s.student().parameters().get(PARAM) == s.teacher().parameters().get(PARAM), "one base");
            float[] base = s.student().parameters().get(PARAM).toFloatArray();
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            s.student().trainableParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            assertEquals(2 * 4, before.size());
            s.step().update(m, rollouts(m, s, 4, 1), new SplittableRandom(0));
            assertArrayEquals(base, s.student().parameters().get(PARAM).toFloatArray(), 0f, "the base is frozen");
            assertTrue(s.student().trainableParameters().get(ADAPTER).abs().sum().getFloat() > 0, "B moved off zero");
            for (String k : before.keySet()) {
                float[] start = before.get(k);
                float[] now = s.student().trainableParameters().get(k).toFloatArray();
                float[] teacher = s.teacher().trainableParameters().get(k).toFloatArray();
                for (int i = 0; i < start.length; i++) {
                    assertEquals((1 - rate) * start[i] + rate * now[i], teacher[i], 1e-6, k + " entry " + i);
                }
            }
            assertEquals(2 * 4, s.adam().state().size() / 2, "optimizer moments for the adapters only");
        }
    }

    /** Activation checkpointing changes memory, not the update: the same step with it on and off. */
    @ParameterizedTest
    @ValueSource(strings = {"sdpo", "credit"})
    void aCheckpointedStepTakesTheSameStep(String objective) {
        for (String lora : List.of("lora.rank=0", "lora.rank=3")) {
            float[][] weights = new float[2][];
            double[] norms = new double[2];
            int i = 0;
            for (String on : List.of("false", "true")) {
                try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, "objective.name=" + objective, lora,
                        "lora.targets=[q, k, v, o, gate, up, down]", "memory.checkpoint-activations=" + on)) {
                    norms[i] = s.step().update(m, rollouts(m, s, 3, 11), new SplittableRandom(4)).metrics().get("grad_norm");
                    weights[i] = s.student().trainableList().get(s.student().trainableList().size() - 1).toFloatArray();
                    i++;
                }
            }
            assertTrue(norms[0] > 0, lora + " has a gradient");
            assertEquals(norms[0], norms[1], 1e-5 * Math.max(1, norms[0]), lora + " grad norm");
            assertArrayEquals(weights[0], weights[1], 1e-6f, lora + " updated weights");
        }
    }

    Map<String, Double> oneUpdate(String... sets) {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, sets)) {
            return s.step().update(m, rollouts(m, s, 3, 7), new SplittableRandom(1)).metrics();
        }
    }

    @Test
    void creditWithLambdaZeroTakesTheSdpoStep() {
        Map<String, Double> sdpo = oneUpdate("objective.name=sdpo");
        Map<String, Double> credit = oneUpdate("objective.name=credit", "objective.credit-lambda=0");
        assertEquals(sdpo.get("loss"), credit.get("loss"), 1e-6);
        assertEquals(sdpo.get("grad_norm"), credit.get("grad_norm"), 1e-5);
        assertTrue(credit.containsKey("credit_signal"));
    }

    @Test
    void aGrpoStepNeedsNoTeacher() {
        Map<String, Double> metrics = oneUpdate("objective.name=grpo");
        assertTrue(metrics.containsKey("clip_frac") && Double.isFinite(metrics.get("loss")), metrics.toString());
    }

    /** Micro-batching changes memory, not the update: one pass over 3 prompts == 3 accumulated passes of 1. */
    @ParameterizedTest
    @ValueSource(strings = {"sdpo", "credit", "grpo"})
    void microBatchesAccumulateToTheFullBatchGradient(String objective) {
        float[][] weights = new float[2][];
        double[] norms = new double[2];
        double[] losses = new double[2];
        int i = 0;
        for (String micro : List.of("3", "1")) {
            try (NDManager m = NDManager.newBaseManager();
                    Setup s = setup(m, "objective.name=" + objective, "micro-batch-prompts=" + micro)) {
                Map<String, Double> metrics = s.step().update(m, rollouts(m, s, 3, 11), new SplittableRandom(4)).metrics();
                weights[i] = s.student().parameters().get(PARAM).toFloatArray();
                norms[i] = metrics.get("grad_norm");
                losses[i] = metrics.get("loss");
                i++;
            }
        }
        assertEquals(norms[0], norms[1], 1e-5 * Math.max(1, norms[0]), objective + " grad norm");
        assertEquals(losses[0], losses[1], 1e-5, objective + " loss");
        assertArrayEquals(weights[0], weights[1], 1e-6f, objective + " updated weights");
    }

    @Test
    void severalOptimizerStepsPerRolloutBatchAreImportanceCorrected() {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, "objective.name=grpo", "optimizer-steps-per-rollout=3",
                "ema-schedule=rollout-batch")) {
            float[] before = s.student().parameters().get(PARAM).toFloatArray();
            Map<String, Double> metrics = s.step().update(m, rollouts(m, s, 4, 3), new SplittableRandom(2)).metrics();
            assertEquals(3, s.adam().steps());
            assertTrue(Double.isFinite(metrics.get("loss")) && metrics.containsKey("clip_frac"), metrics.toString());
            float[] after = s.student().parameters().get(PARAM).toFloatArray();
            float[] teacher = s.teacher().parameters().get(PARAM).toFloatArray();
            for (int k = 0; k < before.length; k++) {
                // One EMA step per rollout batch: halfway between the start and the final student.
                assertEquals((before[k] + after[k]) / 2, teacher[k], 1e-6);
            }
        }
    }

    /**
     * Responses without a teacher are not scored: their rows of the teacher logits are zeros,
     * the others are what scoring every row gives (the objectives never read the zero rows:
     * ObjectiveIdentityTest), with the width of the longest response of the micro-batch.
     */
    @Test
    void teacherLogitsSkipResponsesWithoutATeacher() {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m)) {
            Random rnd = new Random(5);
            List<TrainingExample> xs = new ArrayList<>();
            long[] prompt = s.step().promptIds("1+1=");
            long[] context = s.step().promptIds("1+1=\n\nCorrect solution:\n\n2\n\n");
            boolean[] taught = {true, false, true, true, false, false};
            int[] lengths = {2, 5, 1, 3, 1, 4}; // the longest has no teacher: the width must still be 5
            for (int i = 0; i < taught.length; i++) {
                long[] response = new long[lengths[i]];
                for (int j = 0; j < response.length; j++) {
                    response[j] = 40 + rnd.nextInt(40);
                }
                xs.add(new TrainingExample(prompt, taught[i] ? context : prompt, List.of(prompt), response, 0f, taught[i], false, Double.NaN, false));
            }
            try (NDManager sub = m.newSubManager()) {
                List<ai.djl.ndarray.NDArray> both = s.step().taughtLogits(sub, xs,
                        List.of(TrainingExample::teacherContext, x -> x.contrastContexts().get(0)));
                float[] got = both.get(0).toFloatArray();
                // The contrastive contexts here are the bare prompt: their part must be the
                // teacher's logits under it, for the same responses, in the same rows.
                float[] contrast = both.get(1).toFloatArray();
                List<long[]> bare = new ArrayList<>();
                xs.forEach(x -> bare.add(x.contrastContexts().get(0)));
                List<long[]> contexts = new ArrayList<>();
                List<long[]> responses = new ArrayList<>();
                xs.forEach(x -> {
                    contexts.add(x.teacherContext());
                    responses.add(x.response());
                });
                float[] all = sdpo4j.lm.scoring.TeacherForcing.score(s.teacher(), sub, contexts, responses, s.tokenizer().padId())
                        .logits().toFloatArray();
                assertEquals(all.length, got.length);
                int perRow = all.length / xs.size();
                int vocab = s.teacher().config().vocabSize();
                List<long[]> rs = new ArrayList<>();
                xs.forEach(x -> rs.add(x.response()));
                float[] underBare = sdpo4j.lm.scoring.TeacherForcing.score(s.teacher(), sub, bare, rs, s.tokenizer().padId())
                        .logits().toFloatArray();
                for (int i = 0; i < all.length; i++) {
                    int row = i / perRow;
                    boolean real = (i % perRow) / vocab < lengths[row];
                    float want = taught[row] ? (real ? all[i] : got[i]) : 0f;
                    assertEquals(want, got[i], 1e-4f, "row " + row + " entry " + (i % perRow));
                    float wantContrast = taught[row] ? (real ? underBare[i] : contrast[i]) : 0f;
                    assertEquals(wantContrast, contrast[i], 1e-4f, "contrastive row " + row + " entry " + (i % perRow));
                }
            }
        }
    }

    @Test
    void aNonFiniteLossStopsBeforeAnyUpdate() {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m)) {
            float[] before = s.student().parameters().get(PARAM).toFloatArray();
            s.step().poisonNextLoss(Double.NaN);
            TrainingException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingException.class,
                    () -> s.step().update(m, rollouts(m, s, 2, 5), new SplittableRandom(0)));
            assertEquals("loss is NaN", e.getMessage());
            assertArrayEquals(before, s.student().parameters().get(PARAM).toFloatArray());
            assertEquals(0, s.adam().steps());
        }
    }

    /**
     * An easy, dense signal for a random model: the share of a response's characters that are
     * ASCII (about half of the byte vocabulary). A test fixture environment, with feedback text.
     */
    static final class AsciiShare implements sdpo4j.env.Environment {
        @Override
        public String name() {
            return "ascii-share";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public sdpo4j.env.Score score(Task task, String response) {
            long ascii = response.chars().filter(c -> c < 128).count();
            double r = response.isEmpty() ? 0 : ascii / (double) response.length();
            return new sdpo4j.env.Score(r, r >= 1.0, "Use only ASCII characters.");
        }
    }

    static double mean(List<Double> xs, int from, int to) {
        return xs.subList(from, to).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    @Test
    void grpoRaisesTheRewardOnAnEasyTask() {
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, new AsciiShare(), "objective.name=grpo", "lr=0.01", "group-size=8")) {
            List<Double> rewards = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                rewards.add(s.step().update(m, rollouts(m, s, 8, 100 + t), new SplittableRandom(t)).metrics().get("reward_mean"));
            }
            assertTrue(mean(rewards, 12, 16) > mean(rewards, 0, 4) + 0.1, rewards.toString());
        }
    }

    /**
     * With a different teacher, frozen (EMA rate 0), repeated updates on one rollout batch must
     * shrink the distillation loss: the objective is then a fixed function being minimised.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sdpo", "credit"})
    void distillationLossFallsOnAFixedBatchWithAFrozenTeacher(String objective) {
        useOtherTeacher();
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, new AsciiShare(), "objective.name=" + objective, "lr=0.005", "ema-rate=0")) {
            List<RolloutGroup> batch = rollouts(m, s, 4, 200);
            List<Double> loss = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                loss.add(s.step().update(m, batch, new SplittableRandom(0)).metrics().get("loss"));
            }
            assertTrue(loss.get(11) < 0.8 * loss.get(0), loss.toString());
        }
    }

    /** The teacher starts from another random model than the student, with sharper outputs. */
    private void useOtherTeacher() {
        teacherModel = dir.resolve("other");
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM other = TinyModels.create(teacherModel, TinyModels.config("llama", 1, 32, 2, 1, 64, 256), 4, m);
            // Small random weights give near-uniform outputs; a sharper final norm gives the
            // teacher opinions the student measurably has to learn.
            other.parameters().get("model.norm.weight").muli(8);
            HfCheckpoint.save(other, teacherModel, teacherModel);
        }
    }

    /**
     * GRPO's k3 KL is to the frozen teacher (ema-rate 0): the step's ref_kl is the token mean of
     * {@code exp(t - s) - (t - s) - 1} over the sampled tokens, t and s the teacher's and the
     * student's log-probs after the prompt, computed here from the two models directly; in one
     * pass and in chunks of 5 responses.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void grpoKlIsToTheFrozenTeacher(int chunk) {
        useOtherTeacher();
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, new AsciiShare(), "objective.name=grpo",
                "objective.grpo.kl-beta=0.1", "ema-rate=0", "memory.response-chunk=" + chunk)) {
            List<RolloutGroup> groups = rollouts(m, s, 4, 5);
            double sum = 0;
            double tokens = 0;
            for (RolloutGroup group : groups) {
                for (var response : group.responses()) {
                    long[] ids = response.tokens().length == 0 ? new long[] {s.tokenizer().padId()} : response.tokens();
                    float[] student = tokenLogProbs(s.student(), m, group.promptIds(), ids);
                    float[] teacher = tokenLogProbs(s.teacher(), m, group.promptIds(), ids);
                    for (int j = 0; j < ids.length; j++) {
                        double d = teacher[j] - student[j];
                        sum += Math.exp(d) - d - 1;
                        tokens++;
                    }
                }
            }
            double expected = sum / tokens;
            assertTrue(expected > 1e-3, "a teacher unlike the student: " + expected);
            double got = s.step().update(m, groups, new SplittableRandom(0)).metrics().get("ref_kl");
            assertEquals(expected, got, 1e-4 * expected);
        }
    }

    /** {@code model}'s log-probs of {@code response} after {@code prompt}, one forward over the whole sequence. */
    private static float[] tokenLogProbs(DecoderLM model, NDManager manager, long[] prompt, long[] response) {
        try (NDManager m = manager.newSubManager()) {
            long[] ids = java.util.stream.LongStream.concat(java.util.Arrays.stream(prompt), java.util.Arrays.stream(response))
                    .toArray();
            int n = ids.length;
            NDArray logProbs = model.forward(m.create(ids, new ai.djl.ndarray.types.Shape(1, n)),
                    m.arange(0, n, 1, ai.djl.ndarray.types.DataType.INT64).reshape(1, n),
                    m.ones(new ai.djl.ndarray.types.Shape(1, n), ai.djl.ndarray.types.DataType.INT64), null).get(0).logSoftmax(-1);
            float[] out = new float[response.length];
            for (int j = 0; j < response.length; j++) {
                out[j] = logProbs.get(prompt.length - 1 + j, response[j]).getFloat();
            }
            return out;
        }
    }

    /**
     * Nothing a step creates may stay in the long-lived manager: arrays left there live until
     * the run ends (the soak found 2 MiB per step from gradient clipping once).
     */
    @ParameterizedTest
    @ValueSource(strings = {"grpo", "credit"})
    void aStepLeavesNoArraysBehindInTheModelsManager(String objective) {
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, "objective.name=" + objective, "optimizer-steps-per-rollout=3")) {
            s.step().update(m, rollouts(m, s, 2, 1), new SplittableRandom(1));
            assertEquals(0, sdpo4j.optim.ManagedArrays.leftBehind(m, () -> {
                for (int t = 0; t < 3; t++) {
                    s.step().update(m, rollouts(m, s, 2, 2 + t), new SplittableRandom(t));
                    Autograd.zeroGradients(s.student().parameterList());
                }
            }));
        }
    }

    @Test
    void hooksChooseTheTrainedPositionsAndSeeTheLogitsGradientAfterTheBackward() {
        try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m)) {
            TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null,
                    List.of("model=" + dir.resolve("m"), "dataset=" + dir.resolve("d.jsonl"), "prompts=" + taskCount, "lr=0.001",
                            "warmup-steps=0", "ema-rate=0.5", "objective.divergence.top-k=20"));
            List<float[]> gradients = new ArrayList<>();
            List<Integer> froms = new ArrayList<>();
            StepHooks firstTokenOnly = new StepHooks() {
                @Override
                public NDArray trainedPositions(NDManager mm, int from, NDArray responseMask) {
                    NDArray first = mm.zeros(responseMask.getShape());
                    first.set(new ai.djl.ndarray.index.NDIndex(":, 0"), 1f);
                    return first;
                }

                @Override
                public void afterBackward(NDManager mm, int from, Backward done) {
                    froms.add(from);
                    NDArray g = done.logitGradient();
                    assertEquals(done.logits().getShape(), g.getShape());
                    gradients.add(g.toFloatArray());
                }
            };
            SelfDistillationStep step = new SelfDistillationStep(s.student(), s.teacher(), s.tokenizer(),
                    new Arithmetic(new ArithmeticConfig(2, List.of("+"), 2, true)),
                    new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic")),
                    StepConfig.of(cfg), new sdpo4j.optim.Sgd(), firstTokenOnly);
            List<RolloutGroup> groups = step.rollouts(m, s.tasks(), 4, new SamplingConfig(1.0, 0, 1, 6, List.of(), 1));
            Map<String, Double> metrics = step.update(m, groups, new SplittableRandom(0)).metrics();
            // micro-batch-prompts 4 >= 3 prompts: one micro-batch, from the first response.
            assertEquals(List.of(0), froms);
            assertEquals(0.001, metrics.get("learning_rate"), 0);
            int vocab = s.student().config().vocabSize();
            float[] g = gradients.get(0);
            int width = g.length / (12 * vocab);
            double atFirst = 0;
            for (int i = 0; i < 12; i++) {
                for (int t = 0; t < width; t++) {
                    for (int v = 0; v < vocab; v++) {
                        float x = g[(i * width + t) * vocab + v];
                        if (t == 0) {
                            atFirst += Math.abs(x);
                        } else {
                            assertEquals(0f, x, "only the first position trains: response " + i + " position " + t);
                        }
                    }
                }
            }
            assertTrue(atFirst > 0, "the first position has a gradient");
        }
    }

    // ---- issue 17: Credit's contrast, old log-probs, empty steps, metric weights, exact micro-batches ----

    /** The tasks whose prompt text the decoded context holds. */
    static List<Integer> promptsIn(Setup s, long[] context) {
        String text = s.tokenizer().decode(context);
        List<Integer> found = new ArrayList<>();
        for (int k = 0; k < s.tasks().size(); k++) {
            if (text.contains(s.tasks().get(k).prompt())) {
                found.add(k);
            }
        }
        return found;
    }

    /**
     * Each of Credit's responses contrasts with its own draw of C distinct other prompts of the
     * batch: never its own, and not one draw shared by its whole group.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void creditDrawsDistinctOtherPromptsPerResponse(int contrasts) {
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, "objective.name=credit", "objective.contrast-prompts=" + contrasts)) {
            for (int a = 0; a < s.tasks().size(); a++) {
                for (int b = 0; b < s.tasks().size(); b++) {
                    assertTrue(a == b || !s.tasks().get(a).prompt().contains(s.tasks().get(b).prompt()), "distinct prompts");
                }
            }
            int g = 8;
            List<RolloutGroup> groups = rollouts(m, s, g, 3);
            List<TrainingExample> xs = s.step().examples(groups, new SplittableRandom(5));
            int groupsWithTwoDraws = 0;
            for (int gi = 0; gi < groups.size(); gi++) {
                java.util.Set<Integer> drawn = new java.util.HashSet<>();
                for (TrainingExample x : xs.subList(gi * g, (gi + 1) * g)) {
                    assertEquals(List.of(gi), promptsIn(s, x.teacherContext()), "the teacher context holds the own prompt");
                    if (!x.hasTeacher()) {
                        continue;
                    }
                    assertEquals(contrasts, x.contrastContexts().size());
                    java.util.Set<Integer> mine = new java.util.HashSet<>();
                    for (long[] c : x.contrastContexts()) {
                        List<Integer> in = promptsIn(s, c);
                        assertEquals(1, in.size(), "one prompt per contrastive context: " + in);
                        assertTrue(in.get(0) != gi, "group " + gi + " contrasts with its own prompt");
                        mine.add(in.get(0));
                    }
                    assertEquals(contrasts, mine.size(), "distinct contrastive prompts");
                    drawn.addAll(mine);
                }
                groupsWithTwoDraws += drawn.size() == 2 ? 1 : 0;
            }
            assertTrue(groupsWithTwoDraws > 0, "some group's responses drew different prompts");
        }
    }

    @Test
    void otherPromptsAreUniformDistinctAndNeverTheOwn() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] counts = new int[5];
        int draws = 20000;
        for (int d = 0; d < draws; d++) {
            int[] picked = SelfDistillationStep.otherPrompts(2, 5, 2, rng);
            assertEquals(2, picked.length);
            assertTrue(picked[0] != picked[1] && picked[0] != 2 && picked[1] != 2, java.util.Arrays.toString(picked));
            counts[picked[0]]++;
            counts[picked[1]]++;
        }
        assertEquals(0, counts[2]);
        for (int k : new int[] {0, 1, 3, 4}) {
            // Each of the 4 others is in a draw of 2 half the time.
            assertEquals(0.5, counts[k] / (double) draws, 0.02, "prompt " + k);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SelfDistillationStep.otherPrompts(0, 1, 1, rng));
    }

    /**
     * With three optimizer steps per rollout batch, the objective must get the behaviour
     * policy's log-probs: the first mini-batch's importance ratio is 1, the later ones divide by
     * the log-probs from before the first step (which the updated student no longer gives).
     */
    @Test
    void theObjectiveGetsTheLogProbsFromBeforeTheFirstStep() {
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, new AsciiShare(), "objective.name=grpo", "optimizer-steps-per-rollout=3", "micro-batch-prompts=1",
                        "lr=0.01")) {
            List<RolloutGroup> groups = rollouts(m, s, 4, 3);
            List<float[]> before = new ArrayList<>();
            for (RolloutGroup group : groups) {
                List<long[]> contexts = new ArrayList<>();
                List<long[]> responses = new ArrayList<>();
                for (var gen : group.responses()) {
                    contexts.add(group.promptIds());
                    responses.add(gen.tokens().length == 0 ? new long[] {s.tokenizer().padId()} : gen.tokens());
                }
                var scored = sdpo4j.lm.scoring.TeacherForcing.score(s.student(), m, contexts, responses, s.tokenizer().padId());
                before.add(sdpo4j.optim.Distributions.pick(sdpo4j.optim.Distributions.logSoftmax(scored.logits(), 1.0),
                        scored.tokens()).toFloatArray());
            }
            List<float[]> old = new ArrayList<>();
            List<float[]> current = new ArrayList<>();
            List<float[]> masks = new ArrayList<>();
            StepHooks watch = new StepHooks() {
                @Override
                public void afterBackward(NDManager mm, int from, Backward done) {
                    sdpo4j.optim.PolicyBatch b = done.batch();
                    assertTrue(b.oldLogProbs() != null, "mini-batch from " + from + " has old log-probs");
                    old.add(b.oldLogProbs().toFloatArray());
                    current.add(sdpo4j.optim.Distributions.pick(sdpo4j.optim.Distributions.logSoftmax(b.studentLogits(), 1.0),
                            b.tokens()).toFloatArray());
                    masks.add(b.mask().toFloatArray());
                }
            };
            TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null,
                    List.of("model=" + dir.resolve("m"), "dataset=" + dir.resolve("d.jsonl"), "prompts=3", "lr=0.01",
                            "warmup-steps=0", "objective.name=grpo", "optimizer-steps-per-rollout=3", "micro-batch-prompts=1"));
            SelfDistillationStep step = new SelfDistillationStep(s.student(), s.teacher(), s.tokenizer(), new AsciiShare(),
                    new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic")),
                    StepConfig.of(cfg), s.adam(), watch);
            step.update(m, groups, new SplittableRandom(2));
            assertEquals(3, old.size());
            for (int b = 0; b < 3; b++) {
                double moved = 0;
                for (int k = 0; k < old.get(b).length; k++) {
                    if (masks.get(b)[k] == 0) {
                        continue;
                    }
                    assertEquals(before.get(b)[k], old.get(b)[k], 1e-5, "mini-batch " + b + " old log-prob " + k);
                    if (b == 0) {
                        assertEquals(current.get(b)[k], old.get(b)[k], 1e-5, "the first mini-batch's ratio is 1 at " + k);
                    }
                    moved = Math.max(moved, Math.abs(current.get(b)[k] - old.get(b)[k]));
                }
                if (b > 0) {
                    assertTrue(moved > 1e-4, "mini-batch " + b + ": the student moved since the rollouts (" + moved + ")");
                }
            }
        }
    }

    /** No feedback and no success: no response has a teacher context. */
    static final class NoSignal implements sdpo4j.env.Environment {
        @Override
        public String name() {
            return "no-signal";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public sdpo4j.env.Score score(Task task, String response) {
            return new sdpo4j.env.Score(0, false, null);
        }
    }

    void differentTeacher() {
        teacherModel = dir.resolve("other");
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM other = TinyModels.create(teacherModel, TinyModels.config("llama", 1, 32, 2, 1, 64, 256), 4, m);
            HfCheckpoint.save(other, teacherModel, teacherModel);
        }
    }

    /** A mini-batch with nothing to distil moves neither the student (AdamW's momentum) nor the teacher. */
    @ParameterizedTest
    @ValueSource(strings = {"optimizer-step", "rollout-batch"})
    void aMiniBatchWithoutTeachersIsSkipped(String schedule) {
        differentTeacher();
        try (NDManager m = NDManager.newBaseManager();
                Setup s = setup(m, new NoSignal(), "objective.name=sdpo", "optimizer-steps-per-rollout=3",
                        "ema-schedule=" + schedule, "weight-decay=0.1")) {
            float[] student = s.student().parameters().get(PARAM).toFloatArray();
            float[] teacher = s.teacher().parameters().get(PARAM).toFloatArray();
            Map<String, Double> metrics = s.step().update(m, rollouts(m, s, 2, 4), new SplittableRandom(0)).metrics();
            assertEquals(0.0, metrics.get("teacher_frac"));
            assertEquals(3.0, metrics.get("skipped_updates"));
            assertEquals(0.0, metrics.get("grad_norm"), "the norm of the zero gradient, as before the skip");
            assertEquals(0, s.adam().steps());
            assertArrayEquals(student, s.student().parameters().get(PARAM).toFloatArray());
            assertArrayEquals(teacher, s.teacher().parameters().get(PARAM).toFloatArray());
            assertTrue(Double.isFinite(metrics.get("loss")) && metrics.containsKey("reward_mean"), metrics.toString());
        }
    }

    /** Feedback for the first task only: the other groups have no teacher. */
    static final class FeedbackOnFirst implements sdpo4j.env.Environment {
        final String first;

        FeedbackOnFirst(String first) {
            this.first = first;
        }

        @Override
        public String name() {
            return "feedback-on-first";
        }

        @Override
        public void validate(Task task) {}

        @Override
        public sdpo4j.env.Score score(Task task, String response) {
            return new sdpo4j.env.Score(0, false, task.prompt().equals(first) ? "Answer with a number." : null);
        }
    }

    /** The distillation metrics are means over responses with a teacher, whatever the micro-batching. */
    @ParameterizedTest
    @ValueSource(strings = {"sdpo", "credit"})
    void distillationMetricsIgnoreMicroBatchesWithoutTeachers(String objective) {
        double[][] got = new double[2][2];
        int i = 0;
        for (String micro : List.of("3", "1")) {
            try (NDManager m = NDManager.newBaseManager(); Setup probe = setup(m)) {
                String first = probe.tasks().get(0).prompt();
                try (Setup s = setup(m, new FeedbackOnFirst(first), "objective.name=" + objective, "micro-batch-prompts=" + micro)) {
                    Map<String, Double> metrics = s.step().update(m, rollouts(m, s, 3, 6), new SplittableRandom(3)).metrics();
                    assertEquals(1 / 3.0, metrics.get("teacher_frac"), 1e-9);
                    got[i][0] = metrics.get("kl");
                    got[i][1] = metrics.getOrDefault("credit_signal", 0.0);
                }
            }
            i++;
        }
        assertTrue(got[0][0] > 0, "a teacher different from the student... or at least a positive kl: " + got[0][0]);
        assertEquals(got[0][0], got[1][0], 1e-6 * got[0][0], objective + " kl");
        assertEquals(got[0][1], got[1][1], 1e-6 * Math.max(1e-3, Math.abs(got[0][1])), objective + " credit_signal");
    }

    /** One micro-batch of 4 prompts and four of 1 take the same update, for every objective the LM step runs. */
    @ParameterizedTest
    @ValueSource(strings = {"reinforce", "hybrid:reinforce", "hybrid:grpo", "sdpo", "credit", "grpo"})
    void oneMicroBatchAndFourGiveTheSameUpdate(String objective) {
        assertSameUpdate(objective, List.of("micro-batch-prompts=4"), List.of("micro-batch-prompts=1"));
    }

    /**
     * Response chunks change memory, not the update: one pass over 4 groups of 3 and passes of 2
     * responses (which split every other group, so GRPO's advantages come from the whole group)
     * or of 5 (across micro-batches of 2 prompts) take the same optimizer step.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sdpo", "credit", "grpo", "hybrid:grpo", "reinforce"})
    void responseChunksGiveTheUnchunkedUpdate(String objective) {
        assertSameUpdate(objective, List.of("micro-batch-prompts=4"), List.of("micro-batch-prompts=4", "memory.response-chunk=2"));
        assertSameUpdate(objective, List.of("micro-batch-prompts=4"), List.of("micro-batch-prompts=2", "memory.response-chunk=5"));
    }

    /** Off-policy steps read old log-probs, taken in passes of the same chunks. */
    @Test
    void responseChunksGiveTheUnchunkedOffPolicyUpdate() {
        assertSameUpdate("grpo", List.of("optimizer-steps-per-rollout=2"), List.of("optimizer-steps-per-rollout=2",
                "memory.response-chunk=2"));
    }

    /**
     * Trains one rollout batch of 4 prompts x 3 responses under {@code objective} (a name, or
     * hybrid:FALLBACK with a fixed alpha) with settings {@code a} and then {@code b}, from the same
     * start and rollouts, and checks both took the same step: grad norm, loss and weights.
     */
    private void assertSameUpdate(String objective, List<String> a, List<String> b) {
        taskCount = 4;
        String[] parts = objective.split(":");
        List<String> sets = new ArrayList<>(List.of("objective.name=" + parts[0], "group-size=3"));
        if (parts.length > 1) {
            sets.addAll(List.of("objective.hybrid.fallback=" + parts[1], "objective.hybrid.force-alpha=0.3"));
        }
        float[][] weights = new float[2][];
        double[] norms = new double[2];
        double[] losses = new double[2];
        int i = 0;
        for (List<String> settings : List.of(a, b)) {
            List<String> all = new ArrayList<>(sets);
            all.addAll(settings);
            try (NDManager m = NDManager.newBaseManager(); Setup s = setup(m, new AsciiShare(), all.toArray(String[]::new))) {
                Map<String, Double> metrics = s.step().update(m, rollouts(m, s, 3, 11), new SplittableRandom(4)).metrics();
                weights[i] = s.student().parameters().get(PARAM).toFloatArray();
                norms[i] = metrics.get("grad_norm");
                losses[i] = metrics.get("loss");
                i++;
            }
        }
        String what = objective + " " + a + " vs " + b;
        assertTrue(norms[0] > 1e-6, what + ": a gradient to compare");
        assertEquals(norms[0], norms[1], 1e-5 * Math.max(1, norms[0]), what + " grad norm");
        assertEquals(losses[0], losses[1], 1e-5 * Math.max(1, Math.abs(losses[0])), what + " loss");
        assertArrayEquals(weights[0], weights[1], 1e-6f, what + " updated weights");
    }
}
