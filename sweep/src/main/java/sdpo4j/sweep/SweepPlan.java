package sdpo4j.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;
import sdpo4j.config.Yaml;

/**
 * The cells of a sweep, each config resolved and checked on the driver before any task starts:
 * a bad key or value in the grid stops the sweep with the base loader's one-line error, and two
 * cells that resolve to the same config are refused (one would be counted twice).
 */
public final class SweepPlan {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SweepPlan() {}

    /** {@link #cells(SweepConfig, Path)} with relative paths resolved as the base command would: in the working directory. */
    public static List<Cell> cells(SweepConfig cfg) {
        return cells(cfg, Path.of("").toAbsolutePath());
    }

    /**
     * Every grid point x seed, grid points in row-major order of the axes, seeds innermost. The
     * base config file and the relative paths in the resolved configs ({@link SweepBase#pathKeys})
     * are resolved against {@code workDir}, so that a cell reads the same files on an executor
     * whose working directory is elsewhere (a cluster's workers).
     */
    public static List<Cell> cells(SweepConfig cfg, Path workDir) {
        Path baseConfig = cfg.config().isBlank() ? null : workDir.resolve(cfg.config());
        Map<String, Cell> byHash = new LinkedHashMap<>();
        for (List<String> point : points(cfg.grid())) {
            for (long seed : cfg.seeds()) {
                List<String> sets = new ArrayList<>(cfg.set());
                sets.addAll(point);
                sets.addAll(cfg.base().seedSets(seed));
                Record resolved = ConfigLoader.load(cfg.base().type(), cfg.base().defaults(), baseConfig, sets);
                List<String> absolute = absolutePaths(cfg.base(), resolved, workDir);
                if (!absolute.isEmpty()) {
                    sets.addAll(absolute);
                    resolved = ConfigLoader.load(cfg.base().type(), cfg.base().defaults(), baseConfig, sets);
                }
                String yaml = ConfigLoader.toYaml(resolved);
                Cell cell = new Cell(hash(cfg.base(), yaml), cfg.base(), point, seed, yaml);
                Cell twin = byHash.putIfAbsent(cell.hash(), cell);
                if (twin != null) {
                    throw ConfigException.general("grid", "grid points '" + twin.pointLabel() + "' seed " + twin.seed()
                            + " and '" + cell.pointLabel() + "' seed " + seed + " resolve to the same config; list each value once");
                }
            }
        }
        return List.copyOf(byHash.values());
    }

    /** {@code key="ABSOLUTE"} for each path key of {@code resolved} that holds a relative path. */
    static List<String> absolutePaths(SweepBase base, Record resolved, Path workDir) {
        JsonNode tree = Yaml.MAPPER.valueToTree(resolved);
        List<String> sets = new ArrayList<>();
        for (String key : base.pathKeys()) {
            JsonNode v = tree.at("/" + key.replace('.', '/'));
            if (v.isTextual() && !v.asText().isBlank() && !Path.of(v.asText()).isAbsolute()) {
                String abs = workDir.resolve(v.asText()).normalize().toString();
                try {
                    sets.add(key + "=" + JSON.writeValueAsString(abs));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sets;
    }

    /** Every combination of the axes' values as {@code key=value} lists; one empty point for no axes. */
    static List<List<String>> points(List<GridAxis> grid) {
        List<List<String>> points = new ArrayList<>();
        points.add(List.of());
        for (GridAxis axis : grid) {
            List<List<String>> next = new ArrayList<>();
            for (List<String> p : points) {
                for (int i = 0; i < axis.values().size(); i++) {
                    List<String> q = new ArrayList<>(p);
                    q.add(axis.set(i));
                    next.add(q);
                }
            }
            points = next;
        }
        return points;
    }

    /** First 16 hex digits of SHA-256 over the base's name and the resolved config. */
    static String hash(SweepBase base, String configYaml) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((base.name() + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(configYaml.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
