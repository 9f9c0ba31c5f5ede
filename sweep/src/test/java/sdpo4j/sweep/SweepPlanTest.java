package sdpo4j.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;

/** The shipped sweep configs resolve to their cells; a bad grid stops before any task. */
class SweepPlanTest {
    private static SweepConfig load(String name, String baseConfig) {
        return ConfigLoader.load(SweepConfig.class, SweepConfig.DEFAULT, Path.of("../configs/sweeps/" + name),
                List.of("config=" + baseConfig));
    }

    @Test
    void theShippedSweepsResolve() {
        List<Cell> sim = SweepPlan.cells(load("sim-paper.yaml", "../configs/sim-paper.yaml"));
        assertEquals(30, sim.size());
        assertEquals(30, sim.stream().map(Cell::hash).distinct().count());
        assertTrue(sim.get(0).configYaml().contains("seeds: 1"), sim.get(0).configYaml());
        assertEquals(5, SweepPlan.cells(load("compare.yaml", "../configs/quickstart.yaml")).size());
        assertEquals(3, SweepPlan.cells(load("bridge.yaml", "../configs/bridge.yaml")).size());
    }

    @Test
    void aBadGridKeyIsRefusedWithTheBaseLoadersError() {
        SweepConfig bad = SweepConfig.builder().grid(List.of(new GridAxis("lrr",
                List.of(com.fasterxml.jackson.databind.node.DoubleNode.valueOf(0.1))))).build();
        ConfigException e = assertThrows(ConfigException.class, () -> SweepPlan.cells(bad));
        assertTrue(e.getMessage().contains("unknown key 'lrr'") && e.getMessage().contains("did you mean"), e.getMessage());
    }

    /**
     * An executor's working directory is not the driver's: the base config file and its relative
     * data, model and prompt paths are resolved on the driver, in the directory the sweep was
     * started from; absolute paths are kept.
     */
    @Test
    void relativePathsAreResolvedOnTheDriverBeforeTheCellsShip() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        SweepConfig cfg = ConfigLoader.load(SweepConfig.class, SweepConfig.DEFAULT, Path.of("../configs/sweeps/compare.yaml"),
                List.of("config=configs/quickstart.yaml", "set=[\"train.eval.dataset=/data/held-out.jsonl\"]"));
        Cell cell = SweepPlan.cells(cfg, root).get(0);
        sdpo4j.compare.CompareConfig c = cell.config(sdpo4j.compare.CompareConfig.class);
        assertEquals(root.resolve("models/arithmetic-tiny").toString(), c.train().model());
        assertEquals(root.resolve("datasets/arithmetic-1digit/train.jsonl").toString(), c.train().dataset());
        assertEquals(root.resolve("prompts").toString(), c.train().promptsDir());
        assertEquals("/data/held-out.jsonl", c.train().eval().dataset());
        // The bridge's templates too; the simulator has no paths.
        SweepConfig bridge = load("bridge.yaml", "configs/bridge.yaml");
        assertEquals(root.resolve("prompts").toString(),
                SweepPlan.cells(bridge, root).get(0).config(sdpo4j.bridge.BridgeConfig.class).promptsDir());
    }
}
