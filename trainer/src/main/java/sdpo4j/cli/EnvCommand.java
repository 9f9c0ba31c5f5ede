package sdpo4j.cli;

import picocli.CommandLine.Command;

/** {@code sdpo4j env check}: validate a dataset and score responses (the same command as {@code data check}). */
@Command(name = "env", mixinStandardHelpOptions = true, description = "Environments: check a dataset and score responses.",
        subcommands = {DataCommand.Check.class})
public final class EnvCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
