package sdpo4j.sim;

import sdpo4j.bench.SimBenchCommand;

import sdpo4j.cli.SubcommandProvider;

/** Registers {@code sim} with the launcher. */
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
}
