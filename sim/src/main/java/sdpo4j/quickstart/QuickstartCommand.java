package sdpo4j.quickstart;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.cli.Main;
import sdpo4j.cli.SubcommandProvider;
import sdpo4j.train.BuiltInModel;

/**
 * {@code sdpo4j quickstart}: the project's main job in one command, made of the same commands
 * a user would type: the simulator report, the built-in model (pretrained once, then cached),
 * and GRPO vs SDPO vs Credit on arithmetic.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Run the simulator report, pretrain the built-in arithmetic model if it is not cached, then "
                + "compare GRPO, SDPO and Credit on it (configs/quickstart.yaml), on one seed, which ranks nothing "
                + "(compare --set 'seeds=[0,1,2,3,4]' does). Measured times: README."})
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--runs-dir", defaultValue = "runs", description = "Where the three outputs go.")
    Path runsDir;

    @Option(names = "--name", description = "Prefix of the run names (default: quickstart-<time>).")
    String name;

    @Option(names = "--model", defaultValue = "models/arithmetic-tiny", description = "Built-in model directory (cache).")
    Path model;

    @Option(names = "--config", defaultValue = "configs/quickstart.yaml", description = "The comparison's config.")
    Path config;

    @Option(names = "--pretrain-steps", description = "Pretraining steps when the model is not cached.")
    int pretrainSteps = BuiltInModel.Options.DEFAULT.steps();

    /** Registers the command with the launcher. */
    public static final class Provider implements SubcommandProvider {
        @Override
        public Object command() {
            return new QuickstartCommand();
        }
    }

    @Override
    public Integer call() {
        String prefix = name != null ? name
                : "quickstart-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        long t0 = System.nanoTime();
        String[][] stages = {
            {"sim", "--runs-dir", runsDir.toString(), "--name", prefix + "-sim"},
            {"pretrain", "--if-missing", "--out", model.toString(), "--steps", Integer.toString(pretrainSteps)},
            {"compare", "--config", config.toString(), "--runs-dir", runsDir.toString(), "--name", prefix + "-compare",
                "--set", "train.model=" + model},
        };
        String[] titles = {"1/3 simulator report", "2/3 built-in model", "3/3 GRPO vs SDPO vs Credit"};
        for (int i = 0; i < stages.length; i++) {
            err.printf("== quickstart %s (%.0f s so far)%n", titles[i], (System.nanoTime() - t0) / 1e9);
            int rc = Main.execute(stages[i], out, err);
            if (rc != 0) {
                err.println("quickstart stopped: stage '" + stages[i][0] + "' exited with " + rc);
                return rc;
            }
        }
        out.printf("quickstart done in %.0f s: %s (simulator), %s (comparison)%n", (System.nanoTime() - t0) / 1e9,
                runsDir.resolve(prefix + "-sim/report.md"), runsDir.resolve(prefix + "-compare/report.md"));
        return 0;
    }
}
