package sdpo4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.weights.SafetensorsException;
import sdpo4j.run.RunException;

/**
 * {@code sdpo4j}: the launcher's entry point. Subcommands come from {@link SubcommandProvider}s
 * on the class path. Mistakes a user can fix (bad config, unusable run directory, unreadable
 * model) print one line {@code error: ...} and exit 2; set {@code SDPO4J_DEBUG=1} for the stack.
 */
@Command(name = "sdpo4j", mixinStandardHelpOptions = true, version = "sdpo4j 0.1.0",
        description = "LLM post-training by self-distillation (SDPO, Credit, GRPO) on DJL, and the SDPO simulation study.",
        subcommandsRepeatable = false)
public final class Main implements Runnable {
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        try {
            System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
        } catch (OutOfMemoryError e) {
            if (System.getenv("SDPO4J_DEBUG") != null) {
                throw e;
            }
            System.err.println(heapFullMessage(Runtime.getRuntime().maxMemory()));
            System.exit(USER_ERROR);
        }
    }

    /** What a full Java heap tells the user (the engine's arrays are not on it: only the JVM's own objects). */
    static String heapFullMessage(long maxHeapBytes) {
        return String.format(java.util.Locale.ROOT, "error: the Java heap is full (its maximum is %d MB; SDPO4J_MALLOC=lean sets "
                + "256 MB): give it more with SDPO4J_JAVA_OPTS=-Xmx2g", maxHeapBytes >> 20);
    }

    /** Runs a command line; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        for (SubcommandProvider p : ServiceLoader.load(SubcommandProvider.class)) {
            cl.addSubcommand(p.command());
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, argv) -> {
            err.println("error: " + ex.getMessage());
            err.println("(see " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return USER_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (!isUserError(ex) || System.getenv("SDPO4J_DEBUG") != null) {
                throw ex;
            }
            err.println("error: " + ex.getMessage());
            return USER_ERROR;
        });
        return cl.execute(args);
    }

    static boolean isUserError(Throwable t) {
        return t instanceof ConfigException || t instanceof RunException || t instanceof UncheckedIOException
                || t instanceof SafetensorsException || t instanceof sdpo4j.lm.model.ModelException
                || t instanceof sdpo4j.env.DatasetException || t instanceof sdpo4j.train.TrainingException;
    }
}
