package sdpo4j.cli;

/**
 * Contributes a subcommand to {@code sdpo4j} through {@link java.util.ServiceLoader}, so that a
 * module that depends on the trainer (the simulator) can add commands without the trainer
 * depending on it. Register implementations in
 * {@code META-INF/services/sdpo4j.cli.SubcommandProvider}.
 */
public interface SubcommandProvider {
    /** A picocli {@code @Command} object; its {@code name} is the subcommand's name. */
    Object command();
}
