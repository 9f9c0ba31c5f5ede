package sdpo4j.sim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;

import java.util.List;
import sdpo4j.optim.DivergenceConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.TopKSource;
import sdpo4j.env.sequence.WorldConfig;

/**
 * The simulation study's settings. Defaults are the paper's (section 2.7) where it gives them
 * and SPEC 2 where it does not.
 *
 * @param steps training steps per run
 * @param rollouts sampled sequences per step (n)
 * @param lr learning rate of the plain gradient step on the logits
 * @param refKl weight lambda of the pull toward the initial policy, {@code lambda * (pi - pi_ref)}
 * @param beta feedback strength of the analytic teacher
 * @param seeds seeds per cell
 * @param seed first world seed; cell seeds are seed, seed+1, ...
 * @param multiSeedOffset the multi-seed set uses fresh worlds starting at seed + this offset
 * @param finalWindow steps at the end over which reward, credit and entropy are averaged
 * @param baselinesSeeTrueReward reward-based objectives learn from the true reward (the paper:
 *     "unaffected by feedback noise"); false makes them learn from the judge's score
 * @param world the simulated task
 * @param objective shared optimizer-layer settings; the paper's SDPO is forward KL (alpha 0)
 *     over the whole vocabulary
 * @param sets experiment sets to run
 * @param noiseLevels sigmas of the noise sweep
 * @param hybridSigma noise of the hybrid set
 * @param biasStrengths judge-bias strengths of extension 1, in quality units (q ~ N(0, qualityStd^2)),
 *     compared with the noise sweep's Gaussian judges
 * @param entropyBonuses entropy-bonus coefficients of extension 2
 * @param teacherTemperatures teacher temperatures of extension 2
 */
public record SimConfig(
        int steps,
        int rollouts,
        double lr,
        double refKl,
        double beta,
        int seeds,
        long seed,
        long multiSeedOffset,
        int finalWindow,
        boolean baselinesSeeTrueReward,
        WorldConfig world,
        ObjectiveConfig objective,
        List<String> sets,
        List<Double> noiseLevels,
        double hybridSigma,
        List<Double> biasStrengths,
        List<Double> entropyBonuses,
        List<Double> teacherTemperatures) {

    public static final List<String> ALL_SETS =
            List.of("method-feedback", "noise", "hybrid", "multi-seed", "bias", "diversity");

    public static final SimConfig PAPER = new SimConfig(
            300, 32, 0.02, 0.01, 1.5, 5, 0, 100, 20, true,
            WorldConfig.DEFAULT,
            ObjectiveConfig.DEFAULT.withDivergence(new DivergenceConfig(8, TopKSource.STUDENT, true, 1.0, 0.0, 2.0)),
            ALL_SETS,
            List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5),
            0.2,
            List.of(0.5, 1.0, 2.0),
            List.of(0.1, 0.3, 1.0),
            List.of(1.25, 1.5, 2.0));

    public SimConfig {
        Check.range("steps", steps, 1, 1_000_000);
        Check.range("rollouts", rollouts, 2, 1_000_000);
        Check.positive("lr", lr);
        Check.nonNegative("ref-kl", refKl);
        Check.nonNegative("beta", beta);
        Check.range("seeds", seeds, 1, 10_000);
        Check.atLeast("seed", seed, 0);
        Check.atLeast("multi-seed-offset", multiSeedOffset, 0);
        Check.range("final-window", finalWindow, 1, steps);
        if (world == null || objective == null) {
            throw new ConfigException(world == null ? "world" : "objective", null, "a section of keys");
        }
        Check.nonEmpty("sets", sets);
        Check.present("noise-levels", noiseLevels, "a list of numbers");
        Check.present("bias-strengths", biasStrengths, "a list of numbers");
        Check.present("entropy-bonuses", entropyBonuses, "a list of numbers");
        Check.present("teacher-temperatures", teacherTemperatures, "a list of numbers");
        for (String s : sets) {
            Check.oneOf("sets", s, ALL_SETS);
        }
        for (double sigma : noiseLevels) {
            Check.inRange("noise-levels", sigma, 0, 10);
        }
        Check.inRange("hybrid-sigma", hybridSigma, 0, 10);
        for (double b : biasStrengths) {
            Check.nonNegative("bias-strengths", b);
        }
        for (double c : entropyBonuses) {
            Check.nonNegative("entropy-bonuses", c);
        }
        for (double t : teacherTemperatures) {
            Check.positive("teacher-temperatures", t);
        }
        sets = List.copyOf(sets);
        noiseLevels = List.copyOf(noiseLevels);
        biasStrengths = List.copyOf(biasStrengths);
        entropyBonuses = List.copyOf(entropyBonuses);
        teacherTemperatures = List.copyOf(teacherTemperatures);
    }
}
