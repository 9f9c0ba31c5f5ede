package sdpo4j.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.arithmetic.Arithmetic;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.decoding.Generation;
import sdpo4j.lm.decoding.Generator;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.train.PretrainCorpus;
import sdpo4j.train.Pretrainer;

/**
 * {@code sdpo4j pretrain}: the built-in small model for arithmetic, trained from random weights
 * on a generated corpus that teaches solving (imperfectly) and reading a teacher context, then
 * measured: greedy accuracy on held-out tasks plain, with a correct solution in the context,
 * and with feedback on a wrong answer.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Create and train the built-in small arithmetic model (deterministic for a seed) and report how "
                + "well it solves plainly and with a teacher context.")
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "models/arithmetic-tiny", description = "Model directory to write.")
    Path out;

    @Option(names = "--layers", defaultValue = "2", description = "Decoder blocks.")
    int layers;

    @Option(names = "--hidden", defaultValue = "128", description = "Model width.")
    int hidden;

    @Option(names = "--steps", defaultValue = "1500", description = "Training steps.")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Examples per step.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.002", description = "AdamW learning rate.")
    double lr;

    @Option(names = "--tasks", defaultValue = "2000", description = "Arithmetic tasks in the corpus.")
    int tasks;

    @Option(names = "--solve-accuracy", defaultValue = "0.5", description = "Share of plain examples answered correctly.")
    double solveAccuracy;

    @Option(names = "--prompts-dir", defaultValue = "prompts", description = "Teacher-context templates.")
    Path promptsDir;

    @Option(names = "--seed", defaultValue = "0", description = "Weights, corpus and order.")
    long seed;

    @Option(names = "--if-missing", description = "Do nothing when --out already holds a model pretrained with these options and templates "
            + "(its pretrain.json, written last, records them).")
    boolean ifMissing;

    static final String MARKER = "pretrain.json";

    /**
     * The options that determine the model, as recorded in {@value #MARKER}; with the teacher-context
     * templates' text, which the corpus teaches the model to read: a model cached before they changed
     * would be handed contexts it never saw.
     */
    private Map<String, Object> options(TeacherContexts.Templates templates) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("family", "llama");
        o.put("layers", layers);
        o.put("hidden", hidden);
        o.put("steps", steps);
        o.put("batch", batch);
        o.put("lr", lr);
        o.put("tasks", tasks);
        o.put("solve_accuracy", solveAccuracy);
        o.put("seed", seed);
        o.put("templates", List.of(templates.reprompt(), templates.solution(), templates.feedback()));
        return o;
    }

    @Override
    public Integer call() throws java.io.IOException {
        Path marker = out.resolve(MARKER);
        TeacherContexts.Templates templates = TeacherContexts.Templates.load(promptsDir, "arithmetic");
        if (ifMissing && java.nio.file.Files.isRegularFile(marker)) {
            try {
                Object recorded = new com.fasterxml.jackson.databind.ObjectMapper().readValue(marker.toFile(), Map.class).get("options");
                if (options(templates).toString().equals(String.valueOf(recorded))) {
                    System.out.println("using the cached pretrained model in " + out + " (same options; delete it to retrain)");
                    return 0;
                }
            } catch (java.io.IOException e) {
                // unreadable marker: retrain
            }
        }
        ArithmeticConfig arithmetic = ArithmeticConfig.builder().digits(1).operators(List.of("+", "-")).build();
        TeacherContexts contexts = new TeacherContexts(templates, false);
        List<PretrainCorpus.Example> corpus = PretrainCorpus.arithmetic(
                Arithmetic.generate(arithmetic, tasks, seed, "p"), contexts, solveAccuracy, seed);
        try (NDManager m = NDManager.newBaseManager()) {
            DecoderLM model = TinyModels.create(out, TinyModels.config("llama", layers, hidden, Math.max(1, hidden / 32),
                    Math.max(1, hidden / 64), 4 * hidden, 512), seed, m);
            try (Tokenizer tok = Tokenizer.load(out, model.config())) {
                long start = System.nanoTime();
                int[] step = {0};
                int skipped = Pretrainer.train(model, tok, corpus, steps, batch, lr, seed, loss -> {
                    step[0]++;
                    if (step[0] % Math.max(1, steps / 8) == 0 || step[0] == steps) {
                        System.out.printf(Locale.ROOT, "step %4d  loss %.4f  %.1f s%n", step[0], loss, (System.nanoTime() - start) / 1e9);
                    }
                });
                if (skipped > 0) {
                    System.out.println(skipped + " of " + steps + " steps had a non-finite loss or gradient and were skipped");
                }
                HfCheckpoint.save(model, out, out);
                double[] acc = evaluate(model, tok, m, contexts, Arithmetic.generate(arithmetic, 100, seed + 1_000_003, "eval"));
                Map<String, Object> record = new java.util.LinkedHashMap<>();
                record.put("options", options(templates));
                record.put("held_out_greedy_accuracy", Map.of("plain", acc[0], "with_solution", acc[1], "with_feedback", acc[2]));
                record.put("skipped_non_finite_steps", skipped);
                record.put("seconds", (System.nanoTime() - start) / 1e9);
                // Written last: its presence means the model directory is complete.
                sdpo4j.run.AtomicFiles.writeString(marker, new com.fasterxml.jackson.databind.ObjectMapper()
                        .writerWithDefaultPrettyPrinter().writeValueAsString(record));
            }
        }
        return 0;
    }

    private static double[] evaluate(DecoderLM model, Tokenizer tok, NDManager m, TeacherContexts contexts, List<Map<String, Object>> eval) {
        List<long[]> plain = new ArrayList<>();
        List<long[]> withSolution = new ArrayList<>();
        List<long[]> withFeedback = new ArrayList<>();
        for (Map<String, Object> t : eval) {
            String p = (String) t.get("prompt");
            long a = ((Number) t.get("answer")).longValue();
            plain.add(ids(tok, p));
            withSolution.add(ids(tok, contexts.render(p, new TeacherContexts.Context(String.valueOf(a), null))));
            withFeedback.add(ids(tok, contexts.render(p, new TeacherContexts.Context(null, Arithmetic.wrongAnswerFeedback(a + 3, a)))));
        }
        SamplingConfig greedy = SamplingConfig.builder().temperature(0).maxNewTokens(6).build();
        Generator g = new Generator(model, tok);
        double[] acc = {accuracy(g.generate(m, plain, greedy), eval), accuracy(g.generate(m, withSolution, greedy), eval),
                accuracy(g.generate(m, withFeedback, greedy), eval)};
        System.out.printf(Locale.ROOT, "held-out greedy accuracy: plain %.2f, with a correct solution in context %.2f, "
                + "with feedback on a wrong answer %.2f%n", acc[0], acc[1], acc[2]);
        return acc;
    }

    private static long[] ids(Tokenizer tok, String user) {
        return tok.encodeUserTurn(user);
    }

    private static double accuracy(List<Generation> gens, List<Map<String, Object>> eval) {
        int ok = 0;
        for (int i = 0; i < gens.size(); i++) {
            ok += gens.get(i).text().trim().equals(String.valueOf(eval.get(i).get("answer"))) ? 1 : 0;
        }
        return ok / (double) gens.size();
    }
}
