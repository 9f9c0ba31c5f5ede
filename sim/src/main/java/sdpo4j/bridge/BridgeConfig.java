package sdpo4j.bridge;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.train.ChatConfig;
import sdpo4j.env.sequence.WorldConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.sim.SimConfig;

/**
 * The bridge experiment (docs/bridge.md): a small decoder pretrained to read feedback like the
 * simulator's analytic teacher, then trained as the policy on the simulator's grid, beside the
 * simulator itself on the same worlds and seeds. Each key's default and meaning: {@link Builder}.
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
        String promptsDir,
        ChatConfig chat) {

    public static final List<String> ALL_SETS = List.of("method-feedback", "noise", "hybrid");

    /** The LM runs' parameter update. */
    public enum Optimizer { ADAMW, SGD }

    /**
     * The decoder (Llama family, our byte-level tokenizer). Each key's default and meaning:
     * {@link Builder}.
     */
    public record ModelShape(int layers, int hidden, int heads) {
        public static final ModelShape DEFAULT = builder().build();

        public ModelShape {
            Check.range("layers", layers, 1, 64);
            Check.range("hidden", hidden, 8, 4096);
            Check.range("heads", heads, 1, 64);
            if (hidden % heads != 0) {
                throw new ConfigException("heads", heads, "a divisor of hidden (" + hidden + ")");
            }
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return builder().layers(layers).hidden(hidden).heads(heads);
        }

        /** The keys with their defaults; {@link #build} checks them. */
        public static final class Builder {
            @Doc("decoder blocks")
            private int layers = 2;
            @Doc("width")
            private int hidden = 64;
            @Doc("attention heads (key/value heads: the same)")
            private int heads = 2;

            private Builder() {}

            public Builder layers(int v) {
                layers = v;
                return this;
            }

            public Builder hidden(int v) {
                hidden = v;
                return this;
            }

            public Builder heads(int v) {
                heads = v;
                return this;
            }

            public ModelShape build() {
                return new ModelShape(layers, hidden, heads);
            }
        }
    }

    /**
     * Supervised pretraining of the learned teacher. Each key's default and meaning:
     * {@link Builder}.
     */
    public record Pretrain(int steps, int batch, double lr, int examplesPerWorld, double plainShare, double judgeSigma) {
        public static final Pretrain DEFAULT = builder().build();

        public Pretrain {
            Check.range("steps", steps, 1, 10_000_000);
            Check.range("batch", batch, 1, 100_000);
            Check.positive("lr", lr);
            Check.range("examples-per-world", examplesPerWorld, 1, 10_000_000);
            Check.inRange("plain-share", plainShare, 0, 1);
            Check.inRange("judge-sigma", judgeSigma, 0, 10);
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return builder().steps(steps).batch(batch).lr(lr).examplesPerWorld(examplesPerWorld).plainShare(plainShare)
                    .judgeSigma(judgeSigma);
        }

        /** The keys with their defaults; {@link #build} checks them. */
        public static final class Builder {
            @Doc("training steps")
            private int steps = 1000;
            @Doc("examples per step")
            private int batch = 32;
            @Doc("AdamW learning rate")
            private double lr = 3e-3;
            @Doc("corpus examples per world")
            private int examplesPerWorld = 4000;
            @Doc("share of examples with the bare prompt (answered by the uniform initial policy)")
            private double plainShare = 0.2;
            @Doc("noise of the judge that writes the corpus feedback")
            private double judgeSigma = 0.1;

            private Builder() {}

            public Builder steps(int v) {
                steps = v;
                return this;
            }

            public Builder batch(int v) {
                batch = v;
                return this;
            }

            public Builder lr(double v) {
                lr = v;
                return this;
            }

            public Builder examplesPerWorld(int v) {
                examplesPerWorld = v;
                return this;
            }

            public Builder plainShare(double v) {
                plainShare = v;
                return this;
            }

            public Builder judgeSigma(double v) {
                judgeSigma = v;
                return this;
            }

            public Pretrain build() {
                return new Pretrain(steps, batch, lr, examplesPerWorld, plainShare, judgeSigma);
            }
        }
    }

    /** The full experiment: about 20 minutes on 2 cores. */
    public static final BridgeConfig DEFAULT = builder().build();

    /** {@code --quick}: the same grid on fewer seeds, steps and pretraining, for CI-sized checks. */
    public static final BridgeConfig QUICK = DEFAULT.toBuilder().seeds(2).steps(10).finalWindow(4)
            .noiseLevels(List.of(0.0, 0.5)).pretrain(Pretrain.DEFAULT.toBuilder().steps(200).examplesPerWorld(1500).build())
            .teacherCheck(16).build();

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
        chat = chat == null ? ChatConfig.DEFAULT : chat;
        if (objective.divergence().temperature() != 1.0) {
            throw new ConfigException("objective.divergence.temperature", objective.divergence().temperature(),
                    "1.0 (rollouts are sampled at temperature 1)");
        }
        sets = List.copyOf(sets);
        noiseLevels = List.copyOf(noiseLevels);
    }

    /** The simulator's settings for the same grid, worlds and objective. */
    public SimConfig simulator() {
        return SimConfig.PAPER.toBuilder().steps(simSteps).rollouts(rollouts).lr(simLr).refKl(simRefKl).beta(beta).seeds(seeds)
                .seed(seed).finalWindow(simFinalWindow).world(world).objective(objective).sets(List.of("method-feedback"))
                .noiseLevels(noiseLevels).hybridSigma(hybridSigma).build();
    }

    /** The same grid summarised over the LM runs' steps (a simulator config only in shape). */
    SimConfig lmShape() {
        return simulator().toBuilder().steps(steps).finalWindow(finalWindow).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().seeds(seeds).seed(seed).steps(steps).finalWindow(finalWindow).rollouts(rollouts).lr(lr)
                .optimizer(optimizer).emaRate(emaRate).maxGradNorm(maxGradNorm).symbolPositionsOnly(symbolPositionsOnly)
                .beta(beta).world(world).objective(objective).sets(sets).noiseLevels(noiseLevels).hybridSigma(hybridSigma)
                .model(model).pretrain(pretrain).teacherCheck(teacherCheck).simSteps(simSteps).simLr(simLr)
                .simRefKl(simRefKl).simFinalWindow(simFinalWindow).promptsDir(promptsDir).chat(chat);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("seeds per cell; seed s trains in world `seed + s` (the simulator's world of that seed)")
        private int seeds = 3;
        @Doc("first world seed")
        private long seed = 0;
        @Doc("LM training steps per run (one prompt, one group of `rollouts` responses per step)")
        private int steps = 30;
        @Doc("final steps averaged for reward, credit correlation and entropy")
        private int finalWindow = 10;
        @Doc("responses sampled per step (one prompt, one group), as the simulator's 32 rollouts")
        private int rollouts = 32;
        @Doc("learning rate of the LM runs")
        private double lr = 5e-4;
        @Doc("`adamw` (how LMs are trained) or `sgd` (plain gradient descent, the simulator's update, which keeps each "
                + "objective's gradient magnitude)")
        private Optimizer optimizer = Optimizer.ADAMW;
        @Doc("teacher update `t <- (1 - r) t + r s` after each step; 1 makes the teacher the current policy, as the "
                + "simulator's analytic teacher is")
        private double emaRate = 1.0;
        @Doc("global-norm clipping of the LM runs")
        private double maxGradNorm = 1.0;
        @Doc("the objectives train a well-formed response's symbol positions only (the simulator's decisions), not its "
                + "spaces and EOS; false trains every response token")
        private boolean symbolPositionsOnly = true;
        @Doc("feedback strength of the analytic teacher `l + beta * f * q` the corpus is drawn from (and of the simulator)")
        private double beta = 1.5;
        @Doc("the simulated task, shared by both halves")
        private WorldConfig world = WorldConfig.DEFAULT;
        @Doc("shared objective settings for both halves (the simulator's paper settings; each run's method replaces the "
                + "name; K = 8 of the LM's 261 byte-level tokens, plus the tail bucket)")
        private ObjectiveConfig objective = SimConfig.PAPER.objective();
        @Doc("which of the simulator's experiment sets to repeat")
        private List<String> sets = ALL_SETS;
        @Doc("judge noise sigmas of the noise sweep (continuous feedback)")
        private List<Double> noiseLevels = List.of(0.0, 0.25, 0.5);
        @Doc("judge noise of the hybrid set")
        private double hybridSigma = 0.2;
        @Doc("the learned teacher: a Llama-family decoder with our byte-level tokenizer")
        private ModelShape model = ModelShape.DEFAULT;
        @Doc("how the learned teacher is made (the corpus: docs/bridge.md)")
        private Pretrain pretrain = Pretrain.DEFAULT;
        @Doc("held-out judgements per world and feedback type for the learned-vs-analytic KL")
        private int teacherCheck = 64;
        @Doc("simulator steps per run")
        private int simSteps = 300;
        @Doc("simulator learning rate (plain gradient step on the logits)")
        private double simLr = 0.02;
        @Doc("simulator pull toward the initial policy")
        private double simRefKl = 0.01;
        @Doc("simulator steps averaged at the end")
        private int simFinalWindow = 20;
        @Doc("teacher-context templates (family `sequence-quality`)")
        private String promptsDir = "prompts";
        @Doc("the chat template's system turn and variables for the world's prompt and the teacher contexts (mostly for a "
                + "checkpoint given with `--model`; the bridge's own model has a ChatML template)")
        private ChatConfig chat = ChatConfig.DEFAULT;

        private Builder() {}

        public Builder seeds(int v) {
            seeds = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder finalWindow(int v) {
            finalWindow = v;
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

        public Builder optimizer(Optimizer v) {
            optimizer = v;
            return this;
        }

        public Builder emaRate(double v) {
            emaRate = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder symbolPositionsOnly(boolean v) {
            symbolPositionsOnly = v;
            return this;
        }

        public Builder beta(double v) {
            beta = v;
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

        public Builder model(ModelShape v) {
            model = v;
            return this;
        }

        public Builder pretrain(Pretrain v) {
            pretrain = v;
            return this;
        }

        public Builder teacherCheck(int v) {
            teacherCheck = v;
            return this;
        }

        public Builder simSteps(int v) {
            simSteps = v;
            return this;
        }

        public Builder simLr(double v) {
            simLr = v;
            return this;
        }

        public Builder simRefKl(double v) {
            simRefKl = v;
            return this;
        }

        public Builder simFinalWindow(int v) {
            simFinalWindow = v;
            return this;
        }

        public Builder chat(ChatConfig v) {
            chat = v;
            return this;
        }

        public Builder promptsDir(String v) {
            promptsDir = v;
            return this;
        }

        public BridgeConfig build() {
            return new BridgeConfig(seeds, seed, steps, finalWindow, rollouts, lr, optimizer, emaRate, maxGradNorm,
                    symbolPositionsOnly, beta, world, objective, sets, noiseLevels, hybridSigma, model, pretrain,
                    teacherCheck, simSteps, simLr, simRefKl, simFinalWindow, promptsDir, chat);
        }
    }
}
