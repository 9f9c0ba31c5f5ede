package sdpo4j.bridge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.sim.FeedbackType;
import sdpo4j.sim.RunSpec;
import sdpo4j.sim.SimMethod;

/**
 * The simulator's experiment sets that the bridge repeats with the LM (the paper's three methods
 * and four feedback types, the noise sweep, the hybrid), as the simulator's own run specs, so the
 * two halves are summarised by the same code.
 */
final class BridgeGrid {
    static final List<SimMethod> METHODS = List.of(SimMethod.SDPO, SimMethod.REINFORCE, SimMethod.ADVANTAGE_WEIGHTED);

    private BridgeGrid() {}

    static List<RunSpec> runs(BridgeConfig cfg) {
        List<RunSpec> runs = new ArrayList<>();
        for (String set : cfg.sets()) {
            switch (set) {
                case "method-feedback" -> {
                    for (SimMethod method : METHODS) {
                        for (FeedbackType f : TeacherCorpus.TYPES) {
                            addSeeds(runs, cfg, set, method, f, 0);
                        }
                    }
                }
                case "noise" -> {
                    for (SimMethod method : METHODS) {
                        for (double sigma : cfg.noiseLevels()) {
                            addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, sigma);
                        }
                    }
                }
                case "hybrid" -> {
                    for (SimMethod method : List.of(SimMethod.HYBRID, SimMethod.SDPO, SimMethod.REINFORCE)) {
                        for (FeedbackType f : List.of(FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE)) {
                            addSeeds(runs, cfg, set, method, f, cfg.hybridSigma());
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown set " + set);
            }
        }
        return runs;
    }

    /** Each distinct run once (sets share runs: the noise sweep's sigma 0 is the table's continuous cell). */
    static List<RunSpec> distinct(List<RunSpec> runs) {
        Map<String, RunSpec> unique = new LinkedHashMap<>();
        runs.forEach(r -> unique.putIfAbsent(r.identity(), r));
        return List.copyOf(unique.values());
    }

    private static void addSeeds(List<RunSpec> runs, BridgeConfig cfg, String set, SimMethod method, FeedbackType f,
            double sigma) {
        for (int s = 0; s < cfg.seeds(); s++) {
            runs.add(new RunSpec(set, method, f, sigma, 0, false, 0, 1, cfg.seed() + s));
        }
    }
}
