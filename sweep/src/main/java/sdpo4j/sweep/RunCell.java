package sdpo4j.sweep;

import java.nio.file.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import sdpo4j.optim.Autograd;
import sdpo4j.run.RunDirectory;

/**
 * The Spark task of one cell, in the executor's JVM: a cell already finished (by an earlier
 * run of the sweep, or by another attempt) is returned as it is; otherwise the base's runner
 * runs it into a fresh attempt directory, which is then committed as the cell.
 */
final class RunCell implements Function<Cell, CellResult> {
    private static final long serialVersionUID = 1L;

    private final String sweepDir;

    RunCell(Path sweepDir) {
        this.sweepDir = sweepDir.toAbsolutePath().toString();
    }

    @Override
    public CellResult call(Cell cell) {
        CellStore store = new CellStore(Path.of(sweepDir));
        var done = store.finished(cell.hash());
        if (done.isPresent()) {
            store.log(cell.hash(), "-", "skipped (finished before)");
            return done.get();
        }
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        String attemptId = task == null ? "direct" : task.stageId() + "." + task.stageAttemptNumber() + "-" + task.taskAttemptId();
        RunDirectory dir = store.attempt(cell.hash(), attemptId);
        String executor = task == null ? "none" : org.apache.spark.SparkEnv.get().executorId();
        store.log(cell.hash(), dir.path().getFileName().toString(), "started on executor " + executor);
        long start = System.nanoTime();
        // Spark's task threads are libtorch threads with grad mode on (its default for a new thread); every
        // base command expects it off outside its recordings, as on the main thread the CLI runs them on.
        Autograd.disableOnThisThread();
        // A killed task (job cancelled) is interrupted: a training run then stops at its next step.
        var metrics = cell.base().runner().run(cell, dir, () -> task != null && task.isInterrupted());
        double seconds = (System.nanoTime() - start) / 1e9;
        return store.commit(dir, new CellResult(cell.hash(), cell.pointLabel(), cell.seed(), metrics, seconds, attempt, executor));
    }
}
