package sdpo4j.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sdpo4j.cli.RunOptions;
import sdpo4j.cli.SubcommandProvider;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.ConfigLoader;
import sdpo4j.config.DocumentedConfigs;
import sdpo4j.run.RunException;

/** {@code sdpo4j sweep}: a grid of sim, train, compare or bridge runs as Spark tasks. */
@Command(name = "sweep", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Run a sweep (configs/sweeps/*.yaml: a base command and config, a grid over its keys, seeds) "
                + "as Apache Spark tasks, one cell per grid point and seed: embedded (local[N], N = cores) by default, "
                + "or on a cluster (--master spark://HOST:7077, k8s://...). Finished cells are kept in RUNS_DIR/NAME/cells "
                + "and not rerun when the same sweep is run again (same --name); report.md has the mean and 95%% CI per "
                + "grid point over seeds, plots and a link to each cell's run."})
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], spark://HOST:7077, k8s://... "
            + "(default: local[cores])")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, e.g. --conf "
            + "spark.executor.memory=4g (repeatable)")
    List<String> conf = new ArrayList<>();

    /** The sweep config's key table (docs/scale-out.md). */
    public static final class Configs implements DocumentedConfigs {
        @Override
        public List<ConfigDocs.Section> sections() {
            return List.of(new ConfigDocs.Section("sweep", SweepConfig.class, SweepConfig.DEFAULT));
        }
    }

    /** Registers the command with the launcher. */
    public static final class Provider implements SubcommandProvider {
        @Override
        public Object command() {
            return new SweepCommand();
        }
    }

    @Override
    public Integer call() {
        if (run.config == null) {
            throw new RunException("sweep needs --config FILE (e.g. configs/sweeps/sim-paper.yaml)");
        }
        SweepConfig cfg = ConfigLoader.load(SweepConfig.class, SweepConfig.DEFAULT, run.config, run.sets);
        Map<String, String> spark = new LinkedHashMap<>();
        conf.stream().map(Sweep::confEntry).forEach(e -> spark.put(e.getKey(), e.getValue()));
        String name = run.name != null ? run.name : "sweep-" + stem(run.config);
        Path dir = run.runsDir.resolve(name).toAbsolutePath();
        StringBuilder cmd = new StringBuilder("bin/sdpo4j sweep --config ").append(run.config);
        run.sets.forEach(s -> cmd.append(" --set ").append(s));
        String m = master != null ? master : Sweep.defaultMaster();
        Sweep.Outcome o = Sweep.run(cfg, dir, m, spark, cmd.toString(), System.out);
        System.out.println("sweep: " + o.cells().size() + " cells (" + o.ran() + " run now); report: " + o.report());
        return 0;
    }

    private static String stem(Path file) {
        String f = file.getFileName().toString();
        return f.endsWith(".yaml") ? f.substring(0, f.length() - 5) : f;
    }
}
