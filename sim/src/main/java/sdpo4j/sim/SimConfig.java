package sdpo4j.sim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

import java.util.List;
import sdpo4j.optim.DivergenceConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.env.sequence.WorldConfig;

/**
 * The simulation study's settings. Defaults are the paper's (section 2.7) where it gives them
 * and SPEC 2 where it does not. Each key's default and meaning: {@link Builder}.
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

    /** The paper's settings: the defaults. */
    public static final SimConfig PAPER = builder().build();

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

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().steps(steps).rollouts(rollouts).lr(lr).refKl(refKl).beta(beta).seeds(seeds).seed(seed)
                .multiSeedOffset(multiSeedOffset).finalWindow(finalWindow).baselinesSeeTrueReward(baselinesSeeTrueReward)
                .world(world).objective(objective).sets(sets).noiseLevels(noiseLevels).hybridSigma(hybridSigma)
                .biasStrengths(biasStrengths).entropyBonuses(entropyBonuses).teacherTemperatures(teacherTemperatures);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("training steps per run")
        private int steps = 300;
        @Doc("sampled sequences per step (n)")
        private int rollouts = 32;
        @Doc("learning rate of the plain gradient step on the logits")
        private double lr = 0.02;
        @Doc("weight lambda of the pull toward the initial policy, `lambda * (pi - pi_ref)`")
        private double refKl = 0.01;
        @Doc("feedback strength of the analytic teacher `l + beta * f * q`")
        private double beta = 1.5;
        @Doc("seeds per cell")
        private int seeds = 5;
        @Doc("first world seed; cell seeds are seed, seed+1, ...")
        private long seed = 0;
        @Doc("the multi-seed set uses fresh worlds starting at seed + this offset")
        private long multiSeedOffset = 100;
        @Doc("steps at the end over which reward, credit and entropy are averaged")
        private int finalWindow = 20;
        @Doc("reward-based objectives learn from the true reward (the paper: \"unaffected by feedback noise\"); false "
                + "makes them learn from the judge's score")
        private boolean baselinesSeeTrueReward = true;
        @Doc("the simulated task")
        private WorldConfig world = WorldConfig.DEFAULT;
        @Doc("shared optimizer-layer settings; the paper's SDPO gradient (eq. 3) is forward KL (alpha 0) over the whole "
                + "vocabulary (K = V = 8)")
        private ObjectiveConfig objective =
                ObjectiveConfig.DEFAULT.withDivergence(DivergenceConfig.builder().topK(8).alpha(0.0).build());
        @Doc("experiment sets to run")
        private List<String> sets = ALL_SETS;
        @Doc("sigmas of the noise sweep")
        private List<Double> noiseLevels = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5);
        @Doc("noise of the hybrid set")
        private double hybridSigma = 0.2;
        @Doc("judge-bias strengths of extension 1, in quality units (q ~ N(0, quality-std^2)), compared with the noise "
                + "sweep's Gaussian judges")
        private List<Double> biasStrengths = List.of(0.5, 1.0, 2.0);
        @Doc("entropy-bonus coefficients of extension 2")
        private List<Double> entropyBonuses = List.of(0.1, 0.3, 1.0);
        @Doc("teacher temperatures of extension 2")
        private List<Double> teacherTemperatures = List.of(1.25, 1.5, 2.0);

        private Builder() {}

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder rollouts(int v) {
            rollouts = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder refKl(double v) {
            refKl = v;
            return this;
        }

        public Builder beta(double v) {
            beta = v;
            return this;
        }

        public Builder seeds(int v) {
            seeds = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder multiSeedOffset(long v) {
            multiSeedOffset = v;
            return this;
        }

        public Builder finalWindow(int v) {
            finalWindow = v;
            return this;
        }

        public Builder baselinesSeeTrueReward(boolean v) {
            baselinesSeeTrueReward = v;
            return this;
        }

        public Builder world(WorldConfig v) {
            world = v;
            return this;
        }

        public Builder objective(ObjectiveConfig v) {
            objective = v;
            return this;
        }

        public Builder sets(List<String> v) {
            sets = v;
            return this;
        }

        public Builder noiseLevels(List<Double> v) {
            noiseLevels = v;
            return this;
        }

        public Builder hybridSigma(double v) {
            hybridSigma = v;
            return this;
        }

        public Builder biasStrengths(List<Double> v) {
            biasStrengths = v;
            return this;
        }

        public Builder entropyBonuses(List<Double> v) {
            entropyBonuses = v;
            return this;
        }

        public Builder teacherTemperatures(List<Double> v) {
            teacherTemperatures = v;
            return this;
        }

        public SimConfig build() {
            return new SimConfig(steps, rollouts, lr, refKl, beta, seeds, seed, multiSeedOffset, finalWindow,
                    baselinesSeeTrueReward, world, objective, sets, noiseLevels, hybridSigma, biasStrengths, entropyBonuses,
                    teacherTemperatures);
        }
    }
}
