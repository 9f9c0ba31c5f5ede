package sdpo4j.discover;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.env.Datasets;
import sdpo4j.env.Environment;
import sdpo4j.env.Environments;
import sdpo4j.env.Task;
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.RunException;
import sdpo4j.train.PromptSchedule;
import sdpo4j.train.SelfDistillationStep;

/**
 * {@code discover}'s run: picks the questions (all of the file, or the {@code hard} ones by an
 * estimated pass rate written to {@code pass-rates.jsonl} and not counted in any budget), then for
 * every seed, question and method one {@link Discovery} search, every attempt appended to
 * {@code attempts.jsonl} and one progress line per question on stderr; then the report.
 */
public final class Discoveries {
    static final String ATTEMPTS = "attempts.jsonl";
    static final String PASS_RATES = "pass-rates.jsonl";
    private static final long HARD_STREAM = 0x4A2DL;

    private Discoveries() {}

    /** A question with its estimated pass rate (NaN when none was estimated). */
    record Question(Task task, double passRate) {}

    /** Returns the report, or null when a stop was requested first. */
    public static Path run(DiscoverConfig cfg, RunDirectory dir, BooleanSupplier stop, PrintStream progress) {
        Environment env = Environments.create(cfg.env());
        List<Task> pool = Datasets.read(Path.of(cfg.questionFile()), env);
        Path modelDir = Path.of(cfg.model());
        TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of(cfg.promptsDir()), env.name()), sdpo4j.env.RepromptConfig.DEFAULT);
        try (NDManager m = NDManager.newBaseManager();
                Tokenizer tokenizer = Tokenizer.load(modelDir, ModelConfig.read(modelDir), cfg.chat().options())) {
            DecoderLM base = HfCheckpoint.load(modelDir, m);
            List<Question> questions = choose(cfg, pool, base, tokenizer, env, m, dir, progress);
            Discovery discovery = new Discovery(cfg, base, tokenizer, env, contexts);
            List<Discovery.Trajectory> all = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            try (Writer log = Files.newBufferedWriter(dir.resolve(ATTEMPTS), StandardCharsets.UTF_8)) {
                for (long seed : cfg.seeds()) {
                    for (int q = 0; q < questions.size(); q++) {
                        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "discover: seed %d question %d/%d (%s):",
                                seed, q + 1, questions.size(), questions.get(q).task().id()));
                        for (DiscoveryMethod method : cfg.methods()) {
                            if (stop.getAsBoolean()) {
                                return null;
                            }
                            Discovery.Trajectory t = discovery.solve(m, questions.get(q).task(), q, method, seed);
                            all.add(t);
                            for (Map<String, Object> o : Discovery.logLines(t)) {
                                log.write(json.writeValueAsString(o));
                                log.write('\n');
                            }
                            line.append(String.format(Locale.ROOT, " %s %s", method.label(), t.discovered()
                                    ? "found at attempt " + t.discoveredAt() : "not found in " + t.attempts()))
                                    .append(String.format(Locale.ROOT, " (%.2f s)", t.secondsAt()))
                                    .append(method == DiscoveryMethod.SDPO ? " after " + t.steps() + " steps;" : ";");
                        }
                        log.flush();
                        progress.println(line);
                    }
                }
            } catch (IOException e) {
                throw new RunException("cannot write " + dir.resolve(ATTEMPTS) + ": " + e.getMessage(), e);
            }
            return DiscoveryReport.write(cfg, questions, all, dir.path());
        }
    }

    /**
     * Every question of the file ({@code hard} 0), or the {@code hard} ones with the lowest
     * success fraction among {@code hard-samples} samples from the unchanged model (ties in file
     * order). The estimates go to {@value #PASS_RATES}.
     */
    static List<Question> choose(DiscoverConfig cfg, List<Task> pool, DecoderLM base, Tokenizer tokenizer, Environment env,
            NDManager m, RunDirectory dir, PrintStream progress) {
        if (cfg.hard() == 0) {
            return pool.stream().map(t -> new Question(t, Double.NaN)).toList();
        }
        if (cfg.hard() > pool.size()) {
            throw new RunException("hard " + cfg.hard() + ": " + cfg.questionFile() + " holds only " + pool.size() + " questions");
        }
        Generator generator = new Generator(base, tokenizer);
        List<Question> estimated = new ArrayList<>();
        List<Map<String, Object>> lines = new ArrayList<>();
        long start = System.nanoTime();
        long tokens = 0;
        for (int q = 0; q < pool.size(); q++) {
            Task t = pool.get(q);
            long[] prompt = tokenizer.encodeConversation(t.conversation());
            try (NDManager qm = m.newSubManager()) {
                List<Generation> gens = generator.generate(qm, java.util.Collections.nCopies(cfg.hardSamples(), prompt),
                        SamplingConfig.builder().temperature(cfg.temperature()).maxNewTokens(cfg.maxNewTokens())
                                .seed(PromptSchedule.streamSeed(cfg.seeds().get(0), HARD_STREAM, q)).build());
                var group = SelfDistillationStep.scored(env, t, prompt, gens);
                double rate = group.scores().stream().filter(s -> s.success()).count() / (double) gens.size();
                tokens += gens.stream().mapToLong(g -> g.tokens().length).sum();
                estimated.add(new Question(t, rate));
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("question", t.id());
                o.put("pass_rate", rate);
                o.put("samples", gens.size());
                lines.add(o);
            }
        }
        Datasets.write(dir.resolve(PASS_RATES), lines);
        progress.printf(Locale.ROOT, "discover: pass rates of %d questions estimated from %d samples each "
                + "(%d tokens, %.1f s; not counted in the budget)%n", pool.size(), cfg.hardSamples(), tokens,
                (System.nanoTime() - start) / 1e9);
        List<Question> sorted = new ArrayList<>(estimated);
        sorted.sort(Comparator.comparingDouble(Question::passRate)); // stable: ties stay in file order
        return List.copyOf(sorted.subList(0, cfg.hard()));
    }
}
