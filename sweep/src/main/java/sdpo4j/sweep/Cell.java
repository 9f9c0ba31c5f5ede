package sdpo4j.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.Serializable;
import java.util.List;
import sdpo4j.config.Yaml;

/**
 * One cell of a sweep: a grid point for one seed, with its config fully resolved on the driver.
 * It is shipped to an executor as it is (Java serialization), so a cell's result depends on
 * this record alone.
 *
 * @param hash the key of the cell's output: a digest of the base and the resolved config
 * @param base what it runs
 * @param point the grid point, {@code key=value} per axis in the grid's order
 * @param seed the sweep seed
 * @param configYaml the resolved config of the base command, as its {@code config.yaml}
 */
public record Cell(String hash, SweepBase base, List<String> point, long seed, String configYaml) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Cell {
        point = List.copyOf(point);
    }

    /** The resolved config as the base's record (checked on the driver already). */
    public <T extends Record> T config(Class<T> type) {
        try {
            return Yaml.MAPPER.readValue(configYaml, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cell " + hash + ": its resolved config does not read back: " + e.getOriginalMessage(), e);
        }
    }

    /** The grid point as one label, e.g. {@code lr=0.01, beta=1.5} ({@code (base)} for a grid with no axes). */
    public String pointLabel() {
        return point.isEmpty() ? "(base)" : String.join(", ", point);
    }
}
