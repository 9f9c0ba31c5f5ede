package sdpo4j.sim;

import java.util.List;
import sdpo4j.bench.SimBenchCommand;
import sdpo4j.cli.SubcommandProvider;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.DocumentedConfigs;

/** Registers {@code sim} with the launcher, and its config with {@code config-docs}. */
public final class SimCommands implements SubcommandProvider {
    @Override
    public Object command() {
        return new SimCommand();
    }

    /** Registers {@code sim-bench} with the launcher. */
    public static final class Bench implements SubcommandProvider {
        @Override
        public Object command() {
            return new SimBenchCommand();
        }
    }

    /** The simulator's config, for {@code config-docs}. */
    public static final class Configs implements DocumentedConfigs {
        @Override
        public List<ConfigDocs.Section> sections() {
            return List.of(new ConfigDocs.Section("sim", SimConfig.class, SimConfig.PAPER));
        }
    }
}
