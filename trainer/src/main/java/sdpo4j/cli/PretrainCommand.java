package sdpo4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigException;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.TeacherContexts;
import sdpo4j.train.BuiltInModel;

/** {@code sdpo4j pretrain}: the options of {@link BuiltInModel}, which creates, trains and measures the model. */
@Command(name = "pretrain", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Create and train the built-in small arithmetic model (deterministic for a seed) and report how "
                + "well it solves plainly and with a teacher context.")
public final class PretrainCommand implements Callable<Integer> {
    private static final BuiltInModel.Options DEFAULT = BuiltInModel.Options.DEFAULT;

    @Option(names = "--out", defaultValue = "models/arithmetic-tiny", description = "Model directory to write.")
    Path out;

    // The defaults are BuiltInModel.Options.DEFAULT (picocli shows a field's initial value as its default).
    @Option(names = "--env", description = "Tasks the corpus is made of: arithmetic (one user turn) or arithmetic-tool (a "
            + "conversation with a calculator call and its result before the last user turn; its teacher-context templates "
            + "are prompts/arithmetic-tool/).")
    String env = DEFAULT.env();

    @Option(names = "--layers", description = "Decoder blocks.")
    int layers = DEFAULT.layers();

    @Option(names = "--hidden", description = "Model width.")
    int hidden = DEFAULT.hidden();

    @Option(names = "--steps", description = "Training steps.")
    int steps = DEFAULT.steps();

    @Option(names = "--batch", description = "Examples per step.")
    int batch = DEFAULT.batch();

    @Option(names = "--lr", description = "AdamW peak learning rate (linear warm-up over the first 5% of the steps, then cosine decay to 0).")
    double lr = DEFAULT.lr();

    @Option(names = "--tasks", description = "Arithmetic tasks in the corpus.")
    int tasks = DEFAULT.tasks();

    @Option(names = "--known-share", description = "Share of the distinct expressions the plain examples always answer correctly.")
    double knownShare = DEFAULT.knownShare();

    @Option(names = "--solve-accuracy", description = "Share of the other expressions' plain examples answered correctly "
            + "(else with the expression's misconception).")
    double solveAccuracy = DEFAULT.solveAccuracy();

    @Option(names = "--feedback", description = "Feedback form the corpus's teacher contexts quote, as env.feedback: "
            + "informative or terse.")
    String feedback = DEFAULT.feedback().name().toLowerCase(Locale.ROOT);

    @Option(names = "--prompts-dir", defaultValue = "prompts", description = "Teacher-context templates.")
    Path promptsDir;

    @Option(names = "--seed", description = "Weights, corpus and order.")
    long seed = DEFAULT.seed();

    @Option(names = "--if-missing", description = "Do nothing when --out already holds a model pretrained with these options and templates "
            + "(its " + BuiltInModel.MARKER + ", written last, records them).")
    boolean ifMissing;

    @Override
    public Integer call() throws IOException {
        if (!BuiltInModel.Options.ENVS.contains(env)) {
            throw new ConfigException("--env", env, "one of " + BuiltInModel.Options.ENVS);
        }
        TeacherContexts.Templates templates = TeacherContexts.Templates.load(promptsDir, env);
        FeedbackDetail detail = switch (feedback) {
            case "informative" -> FeedbackDetail.INFORMATIVE;
            case "terse" -> FeedbackDetail.TERSE;
            default -> throw new ConfigException("--feedback", feedback, "one of [informative, terse]");
        };
        BuiltInModel.Options options = new BuiltInModel.Options(env, layers, hidden, steps, batch, lr, tasks, knownShare,
                solveAccuracy, detail, seed);
        if (ifMissing && BuiltInModel.isCached(out, options, templates)) {
            System.out.println("using the cached pretrained model in " + out + " (same options; delete it to retrain)");
            return 0;
        }
        BuiltInModel.pretrain(out, options, templates, System.out);
        return 0;
    }
}
