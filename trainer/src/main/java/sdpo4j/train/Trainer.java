package sdpo4j.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import sdpo4j.env.Datasets;
import sdpo4j.env.Environment;
import sdpo4j.env.Environments;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
import sdpo4j.run.AtomicFiles;
import sdpo4j.run.MetricsLog;
import sdpo4j.run.Progress;
import sdpo4j.run.RunDirectory;

/**
 * The fine-tuning loop. Step s (0-based) trains on {@link PromptSchedule#batch} and draws all
 * its randomness from a stream seeded by (seed, s), so the run is a function of the seed and
 * the step count: {@code --resume} restores weights, teacher, optimizer and step from the newest
 * intact checkpoint (verified against its manifest), drops metrics written after it, and continues exactly as an
 * uninterrupted run would.
 *
 * <p>Per step: rollouts, the update ({@link SelfDistillationStep}), held-out evaluation when due,
 * one line in {@code metrics.jsonl}, sampled completions every N steps, and a checkpoint when
 * due, when the best metric improves, after the last step, or when a stop was requested.
 */
public final class Trainer {
    private static final long ROLLOUT_STREAM = 0x7011_0075L;
    private static final long EVAL_STREAM = 0xE7A1L;

    /** How a run ended. */
    public record Outcome(long stepsDone, boolean stopped, Path lastCheckpoint, Path finalModel) {}

    private final TrainConfig cfg;
    private final RunDirectory dir;
    private boolean resume;
    private BooleanSupplier stopRequested = () -> false;
    private long poisonStep = -1;
    private double poisonValue;
    private boolean progressLines = true;
    private java.util.function.Consumer<Map<String, Object>> onStep = line -> { };

    private Trainer(TrainConfig cfg, RunDirectory dir) {
        this.cfg = cfg;
        this.dir = dir;
    }

    public static Trainer of(TrainConfig cfg, RunDirectory dir) {
        return new Trainer(cfg, dir);
    }

    /** Continue from the newest complete checkpoint in the run directory. */
    public Trainer resume(boolean r) {
        this.resume = r;
        return this;
    }

    /** Checked after every step: when true, the run writes a checkpoint and returns. */
    public Trainer stopWhen(BooleanSupplier s) {
        this.stopRequested = s;
        return this;
    }

    /** Plain progress lines off-terminal (on by default). */
    public Trainer progressLines(boolean on) {
        this.progressLines = on;
        return this;
    }

    /** Called with every step's metrics line after it is logged (soak tests, monitoring). */
    public Trainer onStep(java.util.function.Consumer<Map<String, Object>> listener) {
        this.onStep = listener;
        return this;
    }

    /** Fault injection for tests: adds {@code value} (NaN, Inf) to the loss of 1-based step {@code step}. */
    Trainer poisonLossAt(long step, double value) {
        this.poisonStep = step;
        this.poisonValue = value;
        return this;
    }

    public Outcome run() {
        Environment env = Environments.create(cfg.env());
        List<Task> tasks = Datasets.read(Path.of(cfg.dataset()), env);
        DegenerateSettings.refuseSmallSplit(cfg.dataset(), tasks.size(), cfg.prompts());
        Evaluator evaluator = cfg.eval().enabled()
                ? new Evaluator(Datasets.read(Path.of(cfg.eval().dataset()), env), env, cfg.eval()) : null;
        Checkpoints checkpoints = new Checkpoints(dir.path());
        Checkpoints.State state = new Checkpoints.State(0, 0, Double.NaN, 0, 0);
        Path studentDir = Path.of(cfg.model());
        Path resumed = null;
        if (resume) {
            long latest = checkpoints.newestIntact(line -> System.err.println("warning: " + line))
                    .orElseThrow(() -> new TrainingException("nothing to resume: "
                    + checkpoints.root() + " holds no complete checkpoint; start the run without --resume"));
            state = checkpoints.readState(latest);
            resumed = checkpoints.dirOf(latest);
            studentDir = cfg.lora().enabled() ? studentDir : resumed.resolve("model");
            keepLinesUpTo(dir.resolve(RunDirectory.METRICS_FILE), latest);
            keepLinesUpTo(dir.resolve("completions.jsonl"), latest);
            // A checkpoint at the last step (a run killed before final/ was written, or a finished
            // one) trains nothing more: final/ is (re)written from it below.
        } else {
            clearPreviousRun();
        }
        PromptSchedule<Task> schedule = new PromptSchedule<>(tasks, cfg.prompts(), cfg.seed());
        // The tokenizer and its chat template before the weights: a broken template fails in milliseconds.
        try (NDManager m = NDManager.newBaseManager();
                Tokenizer tokenizer = Tokenizer.load(studentDir, ModelConfig.read(studentDir), cfg.chat().options())) {
            TrainingModels models = TrainingModels.load(cfg, resumed, m);
            DecoderLM student = models.student();
            DecoderLM teacher = models.teacher();
            DegenerateSettings.topKWarning(cfg.objective(), student.config().vocabSize())
                    .ifPresent(w -> System.err.println("warning: " + w));
            AdamW adam = new AdamW(student.trainableParameters(), m, cfg.adamBeta1(), cfg.adamBeta2(), cfg.adamEpsilon(), cfg.weightDecay());
            if (resume) {
                checkpoints.restoreOptimizer(state.step(), adam, state.optimizerSteps(), m);
            }
            try (MetricsLog metrics = dir.openMetrics();
                    Progress progress = Progress.start("train", cfg.steps(), state.step(), progressLines)) {
                TeacherContexts contexts = new TeacherContexts(
                        TeacherContexts.Templates.load(Path.of(cfg.promptsDir()), cfg.env().name()), cfg.reprompt());
                SelfDistillationStep step = new SelfDistillationStep(student, teacher, tokenizer, env, contexts, cfg, adam);
                Path lastCheckpoint = checkpoints.latest().map(checkpoints::dirOf).orElse(null);
                long t0 = System.nanoTime() - (long) (state.wallSeconds() * 1e9);
                long s = state.step();
                boolean stopped = false;
                DegenerateSettings.TeacherWatch teacherWatch = new DegenerateSettings.TeacherWatch(cfg.objective());
                TrainingHealth health = new TrainingHealth(cfg.objective());
                while (s < cfg.steps()) {
                    SplittableRandom rng = new SplittableRandom(PromptSchedule.streamSeed(cfg.seed(), ROLLOUT_STREAM, s));
                    long g0 = System.nanoTime();
                    List<RolloutGroup> groups = step.rollouts(m, schedule.batch(s), cfg.groupSize(),
                            SamplingConfig.builder().temperature(cfg.temperature()).maxNewTokens(cfg.maxNewTokens())
                                    .seed(rng.nextLong()).build());
                    long g1 = System.nanoTime();
                    SelfDistillationStep.Update update;
                    try {
                        if (s + 1 == poisonStep) {
                            step.poisonNextLoss(poisonValue);
                        }
                        update = step.update(m, groups, rng);
                    } catch (TrainingException e) {
                        throw new TrainingException("step " + (s + 1) + ": " + e.getMessage()
                                + "; stopped before applying it. Last good checkpoint: "
                                + (lastCheckpoint == null ? "none yet" : lastCheckpoint), e);
                    }
                    s++;
                    Map<String, Double> stepMetrics = update.metrics();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", s);
                    line.putAll(stepMetrics);
                    putRolloutStats(line, groups, (g1 - g0) / 1e9);
                    boolean last = s == cfg.steps();
                    if (evaluator != null && (last || (cfg.eval().every() > 0 && s % cfg.eval().every() == 0))) {
                        long e0 = System.nanoTime();
                        line.putAll(evaluator.evaluate(student, tokenizer, m, cfg.maxNewTokens(), cfg.temperature(),
                                PromptSchedule.streamSeed(cfg.seed(), EVAL_STREAM, s)));
                        line.put("eval_seconds", (System.nanoTime() - e0) / 1e9);
                    }
                    double wall = (System.nanoTime() - t0) / 1e9;
                    line.put("wall_time", wall);
                    metrics.log(line);
                    onStep.accept(line);
                    teacherWatch.observe(s, stepMetrics.getOrDefault("teacher_frac", 1.0))
                            .ifPresent(w -> System.err.println("warning: " + w));
                    health.observe(s, line).forEach(w -> System.err.println("warning: " + w));
                    if (cfg.completionsEvery() > 0 && s % cfg.completionsEvery() == 0) {
                        writeCompletions(dir.resolve("completions.jsonl"), s, groups, update.examples(), tokenizer);
                    }
                    stopped = stopRequested.getAsBoolean();
                    double value = line.get(cfg.checkpoint().bestMetric()) instanceof Double d ? d : Double.NaN;
                    boolean best = cfg.checkpoint().better(value, state.bestValue());
                    state = new Checkpoints.State(s, adam.steps(), best ? value : state.bestValue(), best ? s : state.bestStep(), wall);
                    if (last || stopped || best || (cfg.checkpoint().every() > 0 && s % cfg.checkpoint().every() == 0)) {
                        lastCheckpoint = checkpoints.save(student, teacher, adam, state, Path.of(cfg.model()),
                                cfg.checkpoint().resumable());
                        checkpoints.prune(cfg.checkpoint().keepLast(), state.bestStep());
                    }
                    progress.step(String.format(Locale.ROOT, "reward %.3f loss %.4f", stepMetrics.getOrDefault("reward_mean", 0.0),
                            stepMetrics.getOrDefault("loss", 0.0)));
                    if (stopped) {
                        break;
                    }
                }
                Path finalModel = null;
                if (!stopped) {
                    finalModel = dir.resolve("final");
                    TrainingModels.save(student, finalModel, Path.of(cfg.model()), Path.of(cfg.model()), cfg.checkpoint().finalModel());
                }
                return new Outcome(s, stopped, lastCheckpoint, finalModel);
            }
        }
    }

    /** A fresh run in a reused (--overwrite) directory starts from empty logs and no checkpoints. */
    private void clearPreviousRun() {
        try {
            Files.deleteIfExists(dir.resolve(RunDirectory.METRICS_FILE));
            Files.deleteIfExists(dir.resolve("completions.jsonl"));
            AtomicFiles.deleteTree(dir.resolve(Checkpoints.DIR));
            AtomicFiles.deleteTree(dir.resolve("final"));
        } catch (IOException e) {
            throw new TrainingException("cannot clear the earlier run in " + dir.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites a JSONL log keeping the lines of steps up to {@code step}: what a resumed run
     * will not redo. A line cut short by a kill (not valid JSON) is dropped too.
     */
    static void keepLinesUpTo(Path file, long step) {
        if (!Files.exists(file)) {
            return;
        }
        ObjectMapper json = new ObjectMapper();
        StringBuilder kept = new StringBuilder();
        try {
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    Object s = json.readValue(l, Map.class).get("step");
                    if (s instanceof Number n && n.longValue() <= step) {
                        kept.append(l).append('\n');
                    }
                } catch (IOException unreadable) {
                    // a torn last line: it belongs to a step after the checkpoint anyway
                }
            }
        } catch (IOException e) {
            throw new TrainingException("cannot read " + file + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeString(file, kept.toString());
    }

    private static void putRolloutStats(Map<String, Object> line, List<RolloutGroup> groups, double genSeconds) {
        int n = 0;
        int zeroStd = 0;
        long tokens = 0;
        int maxLen = 0;
        double sum = 0;
        double sumSq = 0;
        for (RolloutGroup g : groups) {
            double first = g.scores().get(0).reward();
            boolean same = true;
            for (int i = 0; i < g.responses().size(); i++) {
                double r = g.scores().get(i).reward();
                n++;
                sum += r;
                sumSq += r * r;
                same &= r == first;
                int len = g.responses().get(i).tokens().length;
                tokens += len;
                maxLen = Math.max(maxLen, len);
            }
            zeroStd += same ? 1 : 0;
        }
        double mean = sum / n;
        line.put("reward_std", Math.sqrt(Math.max(0, sumSq / n - mean * mean)));
        long successes = groups.stream().flatMap(g -> g.scores().stream()).filter(sdpo4j.env.Score::success).count();
        line.put("success_frac", successes / (double) n);
        line.put("zero_std_frac", zeroStd / (double) groups.size());
        line.put("response_length_mean", tokens / (double) n);
        line.put("response_length_max", maxLen);
        line.put("gen_seconds", genSeconds);
        line.put("gen_tokens_per_s", tokens / Math.max(genSeconds, 1e-9));
        Object train = line.get("train_seconds");
        if (train instanceof Double t) {
            line.put("train_tokens_per_s", tokens / Math.max(t, 1e-9));
        }
    }

    private static void writeCompletions(Path file, long step, List<RolloutGroup> groups, List<TrainingExample> examples,
            Tokenizer tokenizer) {
        ObjectMapper json = new ObjectMapper();
        int n = 0;
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            for (RolloutGroup g : groups) {
                for (int i = 0; i < g.responses().size(); i++) {
                    Generation gen = g.responses().get(i);
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("step", step);
                    o.put("task", g.task().id());
                    o.put("prompt", g.task().prompt());
                    o.put("response", gen.text());
                    o.put("reward", g.scores().get(i).reward());
                    o.put("feedback", g.scores().get(i).feedback());
                    TrainingExample x = examples.get(n++);
                    // Exactly what the teacher read, its template's special tokens included.
                    o.put("teacher_context", x.hasTeacher() ? tokenizer.decodeRaw(x.teacherContext()) : null);
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new TrainingException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }
}
