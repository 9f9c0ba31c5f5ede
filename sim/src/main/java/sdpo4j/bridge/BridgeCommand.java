package sdpo4j.bridge;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sdpo4j.cli.RunOptions;
import sdpo4j.cli.SubcommandProvider;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;
import sdpo4j.config.DocumentedConfigs;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.run.RunDirectory;

/** {@code sdpo4j bridge}: the simulator's findings tested on a real autoregressive model. */
@Command(name = "bridge", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Validate the simulator on a real model: pretrain a small decoder to read feedback like the "
                + "simulator's analytic teacher, measure how close it came, train it as the policy on the simulator's "
                + "grid (methods x feedback, noise sweep, hybrid) and write report.md with a verdict per finding. "
                + "About 20 minutes on 2 cores; --quick about 4."})
public final class BridgeCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--quick", description = "Fewer seeds, steps and pretraining (CI-sized); --config and --set apply on top.")
    boolean quick;

    @Option(names = "--model", paramLabel = "DIR", description = "Reuse the learned teacher of an earlier bridge run "
            + "(RUN_DIR/model) instead of pretraining (its pretraining settings must equal this run's), or use any supported "
            + "checkpoint directory as the teacher and policy, without pretraining, through its own tokenizer and chat template "
            + "(the chat section sets the system turn and template variables).")
    Path model;

    @Option(names = "--threads", defaultValue = "2", description = "LM runs trained at once (one per core).")
    int threads;

    @Option(names = "--print-config", description = "Print the resolved config as YAML and exit.")
    boolean printConfig;

    /** Registers the command with the launcher. */
    public static final class Provider implements SubcommandProvider {
        @Override
        public Object command() {
            return new BridgeCommand();
        }
    }

    /** The bridge's config, for {@code config-docs}. */
    public static final class Configs implements DocumentedConfigs {
        @Override
        public List<ConfigDocs.Section> sections() {
            return List.of(new ConfigDocs.Section("bridge", BridgeConfig.class, BridgeConfig.DEFAULT));
        }
    }

    @Override
    public Integer call() {
        BridgeConfig cfg = ConfigLoader.load(BridgeConfig.class, quick ? BridgeConfig.QUICK : BridgeConfig.DEFAULT, run.config,
                run.sets);
        if (printConfig) {
            System.out.print(ConfigLoader.toYaml(cfg));
            return 0;
        }
        if (threads < 1) {
            throw new ConfigException("--threads", threads, "an integer >= 1");
        }
        if (model != null && PretrainedTeacher.isBridgeModel(model)) {
            PretrainedTeacher.check(model, cfg);
        } else if (model != null) {
            checkCheckpoint(model, cfg);
        }
        RunDirectory dir = RunDirectory.create(run.runsDir, run.nameOr("bridge"), run.overwrite);
        dir.writeConfig(cfg);
        long start = System.nanoTime();
        BridgeExperiment.Outcome outcome = BridgeExperiment.run(cfg, dir.resolve("model"), model, threads, System.err);
        double seconds = (System.nanoTime() - start) / 1e9;
        Path report = new BridgeReport(cfg, outcome, dir.path()).write(commandLine(), seconds);
        System.out.printf(Locale.ROOT, "bridge done in %.0f s; report: %s%n", seconds, report);
        return 0;
    }

    /**
     * A checkpoint no bridge pretrained, checked before any work: it loads (config, tokenizer,
     * chat template with the chat options) and its tokenizer writes each symbol as one token.
     */
    private static void checkCheckpoint(Path dir, BridgeConfig cfg) {
        try (Tokenizer tok = Tokenizer.load(dir, ModelConfig.read(dir), cfg.chat().options())) {
            tok.encodeUserTurn("check");
            new LetterLayout(tok, cfg.world().vocab(), cfg.world().length());
        } catch (IllegalStateException e) {
            throw new ConfigException("--model", dir.toString(), "a checkpoint whose tokenizer writes the symbols one token each ("
                    + e.getMessage() + ")");
        }
    }

    private String commandLine() {
        StringBuilder sb = new StringBuilder("bin/sdpo4j bridge");
        if (quick) {
            sb.append(" --quick");
        }
        if (model != null) {
            sb.append(" --model ").append(model);
        }
        if (run.config != null) {
            sb.append(" --config ").append(run.config);
        }
        run.sets.forEach(s -> sb.append(" --set ").append(s));
        return sb.toString();
    }
}
