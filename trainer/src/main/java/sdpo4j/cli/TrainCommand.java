package sdpo4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.RunDirectory;
import sdpo4j.run.RunException;
import sdpo4j.run.StopSignal;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/** {@code sdpo4j train}: fine-tune a causal LM with SDPO, Credit or GRPO. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fine-tune a HuggingFace causal LM with the shared objectives (sdpo by default; credit, grpo, "
                + "hybrid via objective.name). Writes config.yaml, metrics.jsonl, completions.jsonl, checkpoints/ "
                + "and final/ into the run directory. Ctrl-C (or SIGTERM) finishes the step, writes a checkpoint and "
                + "exits; --resume continues it exactly."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue the run in RUN_DIR from its newest complete checkpoint, with its config.yaml "
                    + "(--set may change keys, e.g. steps).")
    Path resume;

    @Override
    public Integer call() {
        TrainConfig cfg;
        RunDirectory dir;
        if (resume != null) {
            Path saved = resume.resolve(RunDirectory.CONFIG_FILE);
            if (!Files.isRegularFile(saved)) {
                throw new RunException(resume + " is not a run directory (no " + RunDirectory.CONFIG_FILE + ")");
            }
            cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, run.config != null ? run.config : saved, run.sets);
            dir = RunDirectory.existing(resume);
        } else {
            cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, run.config, run.sets);
            dir = RunDirectory.create(run.runsDir, run.nameOr("train"), run.overwrite);
        }
        dir.writeConfig(cfg);
        StopSignal stop = StopSignal.install();
        Trainer trainer = Trainer.of(cfg, dir).resume(resume != null).stopWhen(stop::requested);
        // A resumed run's directory holds earlier work: never removed.
        Trainer.Outcome o = resume != null ? trainer.run() : dir.removedIfItFails(trainer::run);
        if (o.stopped()) {
            System.out.println("stopped on " + stop.signal() + " after step " + o.stepsDone() + "; checkpoint: "
                    + o.lastCheckpoint() + "; continue with: bin/sdpo4j train --resume " + dir.path());
            return stop.exitCode();
        }
        System.out.println("trained " + o.stepsDone() + " steps; model: " + o.finalModel() + "; metrics: "
                + dir.resolve(RunDirectory.METRICS_FILE));
        return 0;
    }
}
