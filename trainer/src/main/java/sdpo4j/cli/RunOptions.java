package sdpo4j.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every command that makes a run shares (a picocli mixin). */
public final class RunOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML config; keys left out take their defaults.")
    public Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one config key, e.g. --set objective.alpha=0.5 (repeatable; wins over the file).")
    public List<String> sets = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "Run name: outputs go to RUNS_DIR/NAME (default: command and time).")
    public String name;

    @Option(names = "--runs-dir", paramLabel = "RUNS_DIR", defaultValue = "runs",
            description = "Directory holding run directories.")
    public Path runsDir;

    @Option(names = "--overwrite", description = "Reuse a run directory that already holds a run.")
    public boolean overwrite;

    /** The run name, or {@code <command>-<yyyyMMdd-HHmmss>}. */
    public String nameOr(String command) {
        return nameOr(name, command);
    }

    /** {@code name}, or {@code <command>-<yyyyMMdd-HHmmss>} when it is null. */
    public static String nameOr(String name, String command) {
        return name != null ? name : command + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    }
}
