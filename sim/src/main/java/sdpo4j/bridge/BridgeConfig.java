package sdpo4j.bridge;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.env.sequence.WorldConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.sim.SimConfig;

/**
 * The bridge experiment (docs/bridge.md): a small decoder pretrained to read feedback like the
 * simulator's analytic teacher, then trained as the policy on the simulator's grid, beside the
 * simulator itself on the same worlds and seeds.
 *
 * @param seeds seeds per cell; seed s trains in world {@code seed + s} (the simulator's world of that seed)
 * @param seed first world seed
 * @param steps LM training steps per run
 * @param finalWindow final steps averaged for reward, credit correlation and entropy
 * @param rollouts responses sampled per step (one prompt, one group)
 * @param lr learning rate of the LM runs
 * @param optimizer {@code adamw} (how LMs are trained) or {@code sgd} (plain gradient descent, the
 *     simulator's update, which keeps each objective's gradient magnitude)
 * @param emaRate teacher update {@code t <- (1 - r) t + r s} after each step; 1 makes the
 *     teacher the current policy, as the simulator's analytic teacher is
 * @param maxGradNorm global-norm clipping of the LM runs
 * @param symbolPositionsOnly the objectives train a well-formed response's symbol positions only
 *     (the simulator's decisions), not its spaces and EOS; false trains every response token
 * @param beta feedback strength of the analytic teacher the corpus is drawn from (and of the simulator)
 * @param world the simulated task
 * @param objective shared objective settings for both halves (the simulator's paper settings by default)
 * @param sets experiment sets: method-feedback, noise, hybrid
 * @param noiseLevels sigmas of the noise sweep (continuous feedback)
 * @param hybridSigma noise of the hybrid set
 * @param model the decoder's shape
 * @param pretrain how the learned teacher is made
 * @param teacherCheck held-out judgements per world and feedback type for the learned-vs-analytic KL
 * @param simSteps simulator steps per run
 * @param simLr simulator learning rate (plain gradient step on the logits)
 * @param simRefKl simulator pull toward the initial policy
 * @param simFinalWindow simulator steps averaged at the end
 * @param promptsDir teacher-context templates (family {@code sequence-quality})
 */
public record BridgeConfig(
        int seeds,
        long seed,
        int steps,
        int finalWindow,
        int rollouts,
        double lr,
        Optimizer optimizer,
        double emaRate,
        double maxGradNorm,
        boolean symbolPositionsOnly,
        double beta,
        WorldConfig world,
        ObjectiveConfig objective,
        List<String> sets,
        List<Double> noiseLevels,
        double hybridSigma,
        ModelShape model,
        Pretrain pretrain,
        int teacherCheck,
        int simSteps,
        double simLr,
        double simRefKl,
        int simFinalWindow,
        String promptsDir) {

    public static final List<String> ALL_SETS = List.of("method-feedback", "noise", "hybrid");

    /** The LM runs' parameter update. */
    public enum Optimizer { ADAMW, SGD }

    /**
     * The decoder (Llama family, our byte-level tokenizer).
     *
     * @param layers decoder blocks
     * @param hidden width
     * @param heads attention heads (key/value heads: the same)
     */
    public record ModelShape(int layers, int hidden, int heads) {
        public ModelShape {
            Check.range("layers", layers, 1, 64);
            Check.range("hidden", hidden, 8, 4096);
            Check.range("heads", heads, 1, 64);
            if (hidden % heads != 0) {
                throw new ConfigException("heads", heads, "a divisor of hidden (" + hidden + ")");
            }
        }
    }

    /**
     * Supervised pretraining of the learned teacher.
     *
     * @param steps training steps
     * @param batch examples per step
     * @param lr AdamW learning rate
     * @param examplesPerWorld corpus examples per world
     * @param plainShare share of examples with the bare prompt (answered by the uniform initial policy)
     * @param judgeSigma noise of the judge that writes the corpus feedback
     */
    public record Pretrain(int steps, int batch, double lr, int examplesPerWorld, double plainShare, double judgeSigma) {
        public Pretrain {
            Check.range("steps", steps, 1, 10_000_000);
            Check.range("batch", batch, 1, 100_000);
            Check.positive("lr", lr);
            Check.range("examples-per-world", examplesPerWorld, 1, 10_000_000);
            Check.inRange("plain-share", plainShare, 0, 1);
            Check.inRange("judge-sigma", judgeSigma, 0, 10);
        }
    }

    /** The full experiment: about 20 minutes on 2 cores. */
    public static final BridgeConfig DEFAULT = new BridgeConfig(
            3, 0, 30, 10, 32, 5e-4, Optimizer.ADAMW, 1.0, 1.0, true, 1.5, WorldConfig.DEFAULT,
            SimConfig.PAPER.objective(),
            ALL_SETS, List.of(0.0, 0.25, 0.5), 0.2,
            new ModelShape(2, 64, 2),
            new Pretrain(1000, 32, 3e-3, 4000, 0.2, 0.1),
            64, 300, 0.02, 0.01, 20, "prompts");

    /** {@code --quick}: the same grid on fewer seeds, steps and pretraining, for CI-sized checks. */
    public static final BridgeConfig QUICK = new BridgeConfig(
            2, 0, 10, 4, 32, 5e-4, Optimizer.ADAMW, 1.0, 1.0, true, 1.5, WorldConfig.DEFAULT,
            SimConfig.PAPER.objective(),
            ALL_SETS, List.of(0.0, 0.5), 0.2,
            new ModelShape(2, 64, 2),
            new Pretrain(200, 32, 3e-3, 1500, 0.2, 0.1),
            16, 300, 0.02, 0.01, 20, "prompts");

    public BridgeConfig {
        Check.range("seeds", seeds, 1, 1000);
        Check.atLeast("seed", seed, 0);
        Check.range("steps", steps, 1, 1_000_000);
        Check.range("final-window", finalWindow, 1, steps);
        Check.range("rollouts", rollouts, 2, 4096);
        Check.positive("lr", lr);
        Check.present("optimizer", optimizer, "adamw or sgd");
        Check.inRange("ema-rate", emaRate, 0, 1);
        Check.positive("max-grad-norm", maxGradNorm);
        Check.nonNegative("beta", beta);
        if (world == null || objective == null || model == null || pretrain == null) {
            throw new ConfigException(world == null ? "world" : objective == null ? "objective" : model == null ? "model" : "pretrain",
                    null, "a section of keys");
        }
        Check.nonEmpty("sets", sets);
        for (String s : sets) {
            Check.oneOf("sets", s, ALL_SETS);
        }
        Check.present("noise-levels", noiseLevels, "a list of numbers");
        for (double sigma : noiseLevels) {
            Check.inRange("noise-levels", sigma, 0, 10);
        }
        Check.inRange("hybrid-sigma", hybridSigma, 0, 10);
        Check.range("teacher-check", teacherCheck, 1, 100_000);
        Check.range("sim-steps", simSteps, 1, 1_000_000);
        Check.positive("sim-lr", simLr);
        Check.nonNegative("sim-ref-kl", simRefKl);
        Check.range("sim-final-window", simFinalWindow, 1, simSteps);
        Check.present("prompts-dir", promptsDir, "a directory of teacher-context templates");
        if (objective.divergence().temperature() != 1.0) {
            throw new ConfigException("objective.divergence.temperature", objective.divergence().temperature(),
                    "1.0 (rollouts are sampled at temperature 1)");
        }
        sets = List.copyOf(sets);
        noiseLevels = List.copyOf(noiseLevels);
    }

    /** The simulator's settings for the same grid, worlds and objective. */
    public SimConfig simulator() {
        SimConfig p = SimConfig.PAPER;
        return new SimConfig(simSteps, rollouts, simLr, simRefKl, beta, seeds, seed, p.multiSeedOffset(), simFinalWindow,
                p.baselinesSeeTrueReward(), world, objective, List.of("method-feedback"), noiseLevels, hybridSigma,
                p.biasStrengths(), p.entropyBonuses(), p.teacherTemperatures());
    }

    /** The same grid summarised over the LM runs' steps (a simulator config only in shape). */
    SimConfig lmShape() {
        SimConfig s = simulator();
        return new SimConfig(steps, rollouts, s.lr(), s.refKl(), beta, seeds, seed, s.multiSeedOffset(), finalWindow,
                s.baselinesSeeTrueReward(), world, objective, s.sets(), noiseLevels, hybridSigma,
                s.biasStrengths(), s.entropyBonuses(), s.teacherTemperatures());
    }
}
