package sdpo4j.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of each experiment set (SPEC 2.5, plus the two extensions), every cell over
 * {@code seeds} seeds. Set names are the config's. The bridge runs its sets from here too, with
 * the paper's cells only in method-feedback.
 */
public final class ExperimentSets {
    public static final List<SimMethod> PAPER_METHODS = List.of(SimMethod.SDPO, SimMethod.REINFORCE, SimMethod.ADVANTAGE_WEIGHTED);
    public static final List<FeedbackType> PAPER_FEEDBACK =
            List.of(FeedbackType.BINARY, FeedbackType.ORDINAL, FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE);
    /** The simulator's method-feedback methods: the paper's three plus the two it does not have. */
    static final List<SimMethod> EXTENDED_METHODS = List.of(SimMethod.SDPO, SimMethod.REINFORCE,
            SimMethod.ADVANTAGE_WEIGHTED, SimMethod.GRPO, SimMethod.CREDIT);

    private ExperimentSets() {}

    /** The simulator's sets: method-feedback over every method but the hybrid and every oracle, the literal critique included. */
    static List<RunSpec> build(SimConfig cfg) {
        return build(cfg, cfg.sets(), EXTENDED_METHODS, List.of(FeedbackType.values()));
    }

    /**
     * The runs of {@code sets} with {@code cfg}'s seeds, noise levels and other sweeps, the
     * method-feedback set over {@code methods} x {@code feedback}.
     */
    public static List<RunSpec> build(SimConfig cfg, List<String> sets, List<SimMethod> methods, List<FeedbackType> feedback) {
        List<RunSpec> runs = new ArrayList<>();
        for (String set : sets) {
            switch (set) {
                case "method-feedback" -> {
                    for (SimMethod method : methods) {
                        for (FeedbackType f : feedback) {
                            addSeeds(runs, cfg, set, method, f, 0, 0, false, 0, 1, cfg.seed());
                        }
                    }
                }
                case "noise" -> {
                    for (SimMethod method : PAPER_METHODS) {
                        for (double sigma : cfg.noiseLevels()) {
                            addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, sigma, 0, false, 0, 1, cfg.seed());
                        }
                    }
                }
                case "hybrid" -> {
                    for (SimMethod method : List.of(SimMethod.HYBRID, SimMethod.SDPO, SimMethod.REINFORCE)) {
                        for (FeedbackType f : List.of(FeedbackType.CONTINUOUS, FeedbackType.CRITIQUE)) {
                            addSeeds(runs, cfg, set, method, f, cfg.hybridSigma(), 0, false, 0, 1, cfg.seed());
                        }
                    }
                }
                case "multi-seed" -> {
                    for (SimMethod method : PAPER_METHODS) {
                        addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, cfg.seed() + cfg.multiSeedOffset());
                    }
                }
                case "bias" -> {
                    // A judge that systematically over-rates the world's worst token, against a
                    // judge with random noise, for the dense learner and for REINFORCE learning
                    // from the same judge.
                    for (SimMethod method : List.of(SimMethod.SDPO, SimMethod.REINFORCE)) {
                        addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, 0, 0, true, 0, 1, cfg.seed());
                        for (double strength : cfg.biasStrengths()) {
                            addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, 0, strength, true, 0, 1, cfg.seed());
                        }
                        for (double sigma : cfg.noiseLevels()) {
                            if (sigma > 0) {
                                addSeeds(runs, cfg, set, method, FeedbackType.CONTINUOUS, sigma, 0, true, 0, 1, cfg.seed());
                            }
                        }
                    }
                }
                case "diversity" -> {
                    addSeeds(runs, cfg, set, SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, cfg.seed());
                    for (double bonus : cfg.entropyBonuses()) {
                        addSeeds(runs, cfg, set, SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 0, false, bonus, 1, cfg.seed());
                    }
                    for (double temp : cfg.teacherTemperatures()) {
                        addSeeds(runs, cfg, set, SimMethod.SDPO, FeedbackType.CONTINUOUS, 0, 0, false, 0, temp, cfg.seed());
                    }
                    addSeeds(runs, cfg, set, SimMethod.HYBRID, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, cfg.seed());
                    addSeeds(runs, cfg, set, SimMethod.REINFORCE, FeedbackType.CONTINUOUS, 0, 0, false, 0, 1, cfg.seed());
                }
                default -> throw new IllegalArgumentException("unknown set " + set);
            }
        }
        return runs;
    }

    /** Each distinct run once, in first-seen order (sets share runs: the noise sweep's sigma 0 is method-feedback's continuous cell). */
    public static List<RunSpec> distinct(List<RunSpec> runs) {
        Map<String, RunSpec> unique = new LinkedHashMap<>();
        runs.forEach(r -> unique.putIfAbsent(r.identity(), r));
        return List.copyOf(unique.values());
    }

    private static void addSeeds(List<RunSpec> runs, SimConfig cfg, String set, SimMethod method, FeedbackType f,
            double sigma, double bias, boolean learnFromJudge, double entropyBonus, double teacherTemperature,
            long firstSeed) {
        // Distillation alone never reads the reward: whether it would learn from the judge's
        // score is moot, and leaving it unset lets identical runs of different sets be shared.
        boolean readsReward = method != SimMethod.SDPO && method != SimMethod.CREDIT;
        for (int s = 0; s < cfg.seeds(); s++) {
            runs.add(new RunSpec(set, method, f, sigma, bias, learnFromJudge && readsReward, entropyBonus,
                    teacherTemperature, firstSeed + s));
        }
    }
}
