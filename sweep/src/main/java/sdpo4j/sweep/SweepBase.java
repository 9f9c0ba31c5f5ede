package sdpo4j.sweep;

import java.util.List;
import sdpo4j.bridge.BridgeConfig;
import sdpo4j.compare.CompareConfig;
import sdpo4j.sim.SimConfig;
import sdpo4j.train.TrainConfig;

/**
 * What a sweep's cells run: the config each cell resolves, its defaults, how a sweep seed is
 * written into it, and the cell's runner.
 */
public enum SweepBase {
    /** A simulator run ({@code sim}); the seed is its first world seed, one seed per cell. */
    SIM(SimConfig.class, SimConfig.PAPER, new SimCell()),
    /** One training run ({@code train}). */
    TRAIN(TrainConfig.class, TrainConfig.DEFAULT, new TrainCell()),
    /** A method comparison ({@code compare}) of one seed: every method, the seed's runs. */
    COMPARE(CompareConfig.class, CompareConfig.DEFAULT, new CompareCell()),
    /** The bridge ({@code bridge}) with one seed. */
    BRIDGE(BridgeConfig.class, BridgeConfig.DEFAULT, new BridgeCell());

    private final Class<? extends Record> type;
    private final Record defaults;
    private final CellRunner runner;

    SweepBase(Class<? extends Record> type, Record defaults, CellRunner runner) {
        this.type = type;
        this.defaults = defaults;
        this.runner = runner;
    }

    @SuppressWarnings("unchecked")
    <T extends Record> Class<T> type() {
        return (Class<T>) type;
    }

    @SuppressWarnings("unchecked")
    <T extends Record> T defaults() {
        return (T) defaults;
    }

    CellRunner runner() {
        return runner;
    }

    /**
     * The keys of the base config that name files or directories. An executor does not run in
     * the driver's working directory, so the plan makes these absolute before a cell ships.
     */
    List<String> pathKeys() {
        return switch (this) {
            case SIM -> List.of();
            case TRAIN -> List.of("model", "dataset", "eval.dataset", "prompts-dir");
            case COMPARE -> List.of("train.model", "train.dataset", "train.eval.dataset", "train.prompts-dir");
            case BRIDGE -> List.of("prompts-dir");
        };
    }

    /** The overrides that make a cell run sweep seed {@code seed} (after the grid's, so they win). */
    List<String> seedSets(long seed) {
        return switch (this) {
            case SIM, BRIDGE -> List.of("seed=" + seed, "seeds=1");
            case TRAIN -> List.of("seed=" + seed);
            case COMPARE -> List.of("seeds=[" + seed + "]");
        };
    }
}
