package sdpo4j.bridge;

import java.util.List;
import sdpo4j.sim.ExperimentSets;
import sdpo4j.sim.RunSpec;

/**
 * The simulator's experiment sets that the bridge repeats with the LM, built by the simulator's
 * own {@link ExperimentSets} (so the two halves are summarised by the same code): method-feedback
 * over the paper's three methods and four feedback types, the noise sweep and the hybrid as the
 * simulator runs them, on the bridge's seeds.
 */
final class BridgeGrid {
    private BridgeGrid() {}

    static List<RunSpec> runs(BridgeConfig cfg) {
        return ExperimentSets.build(cfg.simulator(), cfg.sets(), ExperimentSets.PAPER_METHODS, ExperimentSets.PAPER_FEEDBACK);
    }
}
