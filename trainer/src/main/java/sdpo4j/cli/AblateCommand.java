package sdpo4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sdpo4j.compare.AblationSet;
import sdpo4j.compare.Comparison;
import sdpo4j.config.ConfigException;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.StopSignal;

/** {@code sdpo4j ablate}: every ablation of a set, with its references, over the same seeds, into one report. */
@Command(name = "ablate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Run the papers' ablations (configs/ablations/: teacher context, EMA rate, top-K, Credit's lambda "
                + "and C, the hybrid, RFT beside GRPO) and their reference methods over the same seeds, then write one "
                + "report.md: each ablation's held-out accuracy with a 95%% interval, paired against its reference with "
                + "a verdict. The models are those of base.yaml (the built-in one: bin/sdpo4j pretrain --if-missing)."})
public final class AblateCommand implements Callable<Integer> {
    /** What --quick sets: two steps, one seed, a few held-out tasks; it checks that every config runs. */
    static final List<String> QUICK = List.of("seeds=[0]", "train.steps=2", "train.warmup-steps=0", "train.eval.every=0",
            "train.eval.max-tasks=8", "train.eval.samples=1", "train.completions-every=0");

    @Option(names = "--dir", defaultValue = "configs/ablations", paramLabel = "DIR",
            description = "The ablation set: base.yaml (shared run, seeds, reference methods) and one YAML file per ablation.")
    Path dir;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds 0..N-1 instead of base.yaml's.")
    Integer seeds;

    @Option(names = "--quick", description = "A smoke run: every arm for 2 steps on 1 seed and 8 held-out tasks "
            + "(checks the set runs; its numbers rank nothing).")
    boolean quick;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a key of base.yaml, e.g. --set train.steps=20 (repeatable; every ablation inherits it "
                    + "unless its own file sets that key).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", description = "Run name: outputs go to RUNS_DIR/NAME (default: ablate-<time>).")
    String name;

    @Option(names = "--runs-dir", paramLabel = "RUNS_DIR", defaultValue = "runs", description = "Directory holding run directories.")
    Path runsDir;

    @Option(names = "--overwrite", description = "Reuse a run directory that already holds a run.")
    boolean overwrite;

    @Override
    public Integer call() {
        List<String> all = new ArrayList<>(quick ? QUICK : List.of());
        if (seeds != null) {
            if (seeds < 1) {
                throw ConfigException.general("--seeds " + seeds, "at least 1 seed");
            }
            all.add(LongStream.range(0, seeds).mapToObj(Long::toString).collect(Collectors.joining(", ", "seeds=[", "]")));
        }
        all.addAll(sets);
        AblationSet set = AblationSet.load(dir, all);
        RunDirectory out = RunDirectory.create(runsDir, RunOptions.nameOr(name, "ablate"), overwrite);
        out.writeConfig(set.base());
        System.err.printf("ablate: %d arms x %d seeds = %d runs%n", set.arms().size(), set.base().seeds().size(),
                set.arms().size() * set.base().seeds().size());
        StopSignal stop = StopSignal.install();
        Path report = out.removedIfItFails(() -> Comparison.run(set.base(), set.arms(), out, stop::requested));
        if (report == null) {
            System.out.println("stopped on " + stop.signal() + "; finished runs are in " + out.path());
            return stop.exitCode();
        }
        System.out.println("report: " + report);
        return 0;
    }
}
