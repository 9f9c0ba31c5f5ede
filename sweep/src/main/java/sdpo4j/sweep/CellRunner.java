package sdpo4j.sweep;

import java.io.Serializable;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sdpo4j.run.RunDirectory;

/** Runs one cell of a base command into its run directory, in the executor's JVM. */
interface CellRunner extends Serializable {
    /**
     * Runs the cell and returns its metrics (name to value; the report's table aggregates each
     * name over seeds). Throws when the run fails or was stopped: Spark then retries the cell.
     */
    Map<String, Double> run(Cell cell, RunDirectory dir, BooleanSupplier stop);
}
