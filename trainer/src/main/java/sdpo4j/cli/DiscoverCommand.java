package sdpo4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigLoader;
import sdpo4j.discover.DiscoverConfig;
import sdpo4j.discover.Discoveries;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.StopSignal;

/** {@code sdpo4j discover}: test-time SDPO on single questions against best-of-k and multi-turn, at one attempt budget. */
@Command(name = "discover", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Per question, rounds of attempts until one is correct: SDPO steps on that question alone (weights "
                + "reset between questions), best-of-k and multi-turn at the same budget and sampling settings. Writes "
                + "attempts.jsonl, report.md and discovery.png (discovery probability against attempts, generated tokens "
                + "and wall time, over seeds). The options set keys of the config (see docs/test-time.md)."})
public final class DiscoverCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (key model)")
    String model;

    @Option(names = "--env", paramLabel = "NAME", description = "environment (key env.name)")
    String env;

    @Option(names = "--questions", paramLabel = "FILE", description = "JSONL questions (key questions)")
    String questions;

    @Option(names = "--hard", paramLabel = "N", description = "the N questions with the lowest estimated pass rate (key hard)")
    Integer hard;

    @Option(names = "--budget", paramLabel = "ATTEMPTS", description = "attempts per question and method (key budget)")
    Integer budget;

    @Override
    public Integer call() {
        List<String> sets = new ArrayList<>();
        add(sets, "model", model);
        add(sets, "env.name", env);
        add(sets, "questions", questions);
        add(sets, "hard", hard);
        add(sets, "budget", budget);
        sets.addAll(run.sets); // --set wins
        DiscoverConfig cfg = ConfigLoader.load(DiscoverConfig.class, DiscoverConfig.DEFAULT, run.config, sets);
        RunDirectory dir = RunDirectory.create(run.runsDir, run.nameOr("discover"), run.overwrite);
        dir.writeConfig(cfg);
        StopSignal stop = StopSignal.install();
        Path report = dir.removedIfItFails(() -> Discoveries.run(cfg, dir, stop::requested, System.err));
        if (report == null) {
            System.out.println("stopped on " + stop.signal() + "; attempts so far are in " + dir.resolve("attempts.jsonl"));
            return stop.exitCode();
        }
        System.out.println("report: " + report);
        return 0;
    }

    private static void add(List<String> sets, String key, Object value) {
        if (value != null) {
            sets.add(key + "=" + value);
        }
    }
}
