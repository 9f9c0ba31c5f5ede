package sdpo4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sdpo4j.compare.CompareConfig;
import sdpo4j.compare.Comparison;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.StopSignal;

/** {@code sdpo4j compare}: the same fine-tune with GRPO, SDPO and Credit, and a report. */
@Command(name = "compare", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Run the same training with several objectives (grpo, sdpo, credit by default) and seeds, then "
                + "write report.md with a table and curves (reward, held-out accuracy, entropy, KL vs steps and wall "
                + "time). Training keys go under train:, e.g. --set train.steps=20."})
public final class CompareCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        CompareConfig cfg = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, run.config, run.sets);
        RunDirectory dir = RunDirectory.create(run.runsDir, run.nameOr("compare"), run.overwrite);
        dir.writeConfig(cfg);
        StopSignal stop = StopSignal.install();
        Path report = dir.removedIfItFails(() -> Comparison.run(cfg, dir, stop::requested));
        if (report == null) {
            System.out.println("stopped on " + stop.signal() + "; finished runs are in " + dir.path());
            return stop.exitCode();
        }
        System.out.println("report: " + report);
        return 0;
    }
}
