package sdpo4j.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A finished cell, as its {@code cell.json} holds it.
 *
 * @param hash the cell's key
 * @param point the grid point's label
 * @param seed the sweep seed
 * @param metrics name to value
 * @param seconds wall time of the run
 * @param attempt Spark's attempt number of the task that produced it (0 = first try)
 * @param executor the executor that ran it ({@code driver} in local mode)
 */
public record CellResult(String hash, String point, long seed, Map<String, Double> metrics, double seconds, int attempt,
        String executor) implements Serializable {
    private static final long serialVersionUID = 1L;

    public CellResult {
        metrics = new LinkedHashMap<>(metrics);
    }
}
