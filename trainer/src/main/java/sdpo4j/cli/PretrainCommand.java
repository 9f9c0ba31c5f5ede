package sdpo4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.env.TeacherContexts;
import sdpo4j.train.BuiltInModel;

/** {@code sdpo4j pretrain}: the options of {@link BuiltInModel}, which creates, trains and measures the model. */
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
            + "(its " + BuiltInModel.MARKER + ", written last, records them).")
    boolean ifMissing;

    @Override
    public Integer call() throws IOException {
        TeacherContexts.Templates templates = TeacherContexts.Templates.load(promptsDir, "arithmetic");
        BuiltInModel.Options options = new BuiltInModel.Options(layers, hidden, steps, batch, lr, tasks, solveAccuracy, seed);
        if (ifMissing && BuiltInModel.isCached(out, options, templates)) {
            System.out.println("using the cached pretrained model in " + out + " (same options; delete it to retrain)");
            return 0;
        }
        BuiltInModel.pretrain(out, options, templates, System.out);
        return 0;
    }
}
