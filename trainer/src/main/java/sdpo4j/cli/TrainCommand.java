package sdpo4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sdpo4j.config.ConfigLoader;
import sdpo4j.run.RunDirectory;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/** {@code sdpo4j train}: fine-tune a causal LM with SDPO, Credit or GRPO. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Fine-tune a HuggingFace causal LM with the shared objectives (sdpo by default; credit, grpo, "
                + "hybrid via objective.name). Writes config.yaml, metrics.jsonl, completions.jsonl and final/ "
                + "into the run directory. Early version: no resumable checkpoints or evaluation yet (issue 6)."})
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, run.config, run.sets);
        RunDirectory dir = RunDirectory.create(run.runsDir, run.nameOr("train"), run.overwrite);
        dir.writeConfig(cfg);
        Path out = Trainer.run(cfg, dir);
        System.out.println("trained " + cfg.steps() + " steps; model: " + out + "; metrics: " + dir.resolve(RunDirectory.METRICS_FILE));
        return 0;
    }
}
