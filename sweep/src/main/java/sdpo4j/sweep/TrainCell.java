package sdpo4j.sweep;

import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.run.RunDirectory;
import sdpo4j.train.TrainConfig;
import sdpo4j.train.Trainer;

/** A training cell: the ordinary trainer, its run directory the cell's. */
final class TrainCell implements CellRunner {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, Double> run(Cell cell, RunDirectory dir, BooleanSupplier stop) {
        TrainConfig cfg = cell.config(TrainConfig.class);
        dir.writeConfig(cfg);
        Trainer.Outcome o = Trainer.of(cfg, dir).stopWhen(stop).run();
        if (o.stopped()) {
            throw new IllegalStateException("cell " + cell.hash() + " was stopped after step " + o.stepsDone());
        }
        return FinalMetrics.read(dir.resolve(RunDirectory.METRICS_FILE), "");
    }
}
