package sdpo4j.discover;

import java.util.List;
import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.env.EnvConfig;
import sdpo4j.lm.lora.LoraConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.train.ChatConfig;
import sdpo4j.train.EmaSchedule;
import sdpo4j.train.StepConfig;
import sdpo4j.train.TrainConfig;

/**
 * Test-time discovery ({@code sdpo4j discover}): per question, rounds of {@code round-size}
 * attempts until one succeeds or {@code budget} attempts are spent, by each of {@code methods},
 * for each seed. Each key's default and meaning: {@link Builder}.
 */
public record DiscoverConfig(String model, EnvConfig env, String questions, int hard, int hardSamples, int budget, int roundSize,
        List<DiscoveryMethod> methods, List<Long> seeds, double lr, double maxGradNorm, double emaRate, ObjectiveConfig objective,
        double temperature, int maxNewTokens, String promptsDir, ChatConfig chat, LoraConfig lora, int historyTurns,
        int bootstrapReplicates, long bootstrapSeed) {
    public static final DiscoverConfig DEFAULT = builder().build();

    public DiscoverConfig {
        if (model == null || model.isBlank()) {
            throw new ConfigException("model", model, "a HuggingFace model directory");
        }
        env = env == null ? EnvConfig.DEFAULT : env;
        Check.atLeast("hard", hard, 0);
        Check.range("hard-samples", hardSamples, 1, 100_000);
        Check.range("budget", budget, 1, 1_000_000);
        Check.range("round-size", roundSize, 1, 1024);
        Check.nonEmpty("methods", methods);
        Check.nonEmpty("seeds", seeds);
        if (methods.stream().distinct().count() != methods.size()) {
            throw new ConfigException("methods", methods, "each method once");
        }
        if (seeds.stream().distinct().count() != seeds.size()) {
            throw new ConfigException("seeds", seeds, "each seed once");
        }
        Check.positive("lr", lr);
        Check.positive("max-grad-norm", maxGradNorm);
        Check.inRange("ema-rate", emaRate, 0, 1);
        objective = objective == null ? ObjectiveConfig.DEFAULT : objective;
        if (objective.name() != ObjectiveKind.SDPO) {
            throw new ConfigException("objective.name", objective.name(), "sdpo: the step on one question has no other "
                    + "questions for credit's contrasts nor a group baseline worth the name for grpo");
        }
        Check.positive("temperature", temperature);
        if (objective.divergence().temperature() != temperature) {
            throw new ConfigException("objective.divergence.temperature", objective.divergence().temperature(),
                    "the sampling temperature (" + temperature + "): student and teacher distributions use the "
                    + "temperature the attempts were sampled at (SPEC 1.1)");
        }
        Check.range("max-new-tokens", maxNewTokens, 1, 1 << 16);
        chat = chat == null ? ChatConfig.DEFAULT : chat;
        lora = lora == null ? LoraConfig.DEFAULT : lora;
        Check.range("history-turns", historyTurns, 1, 1000);
        Check.range("bootstrap-replicates", bootstrapReplicates, 100, 1_000_000);
        methods = List.copyOf(methods);
        seeds = List.copyOf(seeds);
    }

    /** The SDPO step on one question: one group of one round's attempts, one optimizer step, no warm-up. */
    StepConfig step() {
        return new StepConfig(objective, 1, 1, 1, lr, 0, maxGradNorm, emaRate, EmaSchedule.OPTIMIZER_STEP, temperature);
    }

    /** The question file: {@code questions}, else the environment's held-out set. */
    String questionFile() {
        return questions == null || questions.isBlank() ? "datasets/" + env.name() + "/test.jsonl" : questions;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().model(model).env(env).questions(questions).hard(hard).hardSamples(hardSamples).budget(budget)
                .roundSize(roundSize).methods(methods).seeds(seeds).lr(lr).maxGradNorm(maxGradNorm).emaRate(emaRate)
                .objective(objective).temperature(temperature).maxNewTokens(maxNewTokens).promptsDir(promptsDir).chat(chat)
                .lora(lora).historyTurns(historyTurns).bootstrapReplicates(bootstrapReplicates).bootstrapSeed(bootstrapSeed);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("HuggingFace model directory (`--model`)")
        private String model = "models/arithmetic-tiny";
        @Doc("the environment that scores attempts and writes their feedback (`--env` sets `env.name`)")
        private EnvConfig env = EnvConfig.DEFAULT;
        @Doc("JSONL questions (`--questions`); empty = `datasets/<env>/test.jsonl`")
        private String questions = "";
        @Doc("0: every question of the file; N: the N with the lowest estimated pass rate (`--hard`; the estimate is "
                + "reported and not counted in the budget)")
        private int hard = 0;
        @Doc("samples per question behind the pass-rate estimate of `hard`")
        private int hardSamples = 16;
        @Doc("attempts per question and method (`--budget`)")
        private int budget = 32;
        @Doc("attempts sampled per round; SDPO takes one step after each round without a success")
        private int roundSize = 4;
        @Doc("`sdpo` (test-time self-distillation), `best-of-k` (independent samples from the unchanged model), "
                + "`multi-turn` (the feedback appended to the conversation, the model asked again)")
        private List<DiscoveryMethod> methods = List.of(DiscoveryMethod.SDPO, DiscoveryMethod.BEST_OF_K,
                DiscoveryMethod.MULTI_TURN);
        @Doc("one pass over the questions per seed (sampling streams and adapters' initialisation)")
        private List<Long> seeds = List.of(0L, 1L, 2L, 3L, 4L);
        @Doc("AdamW learning rate of the SDPO steps (constant, no warm-up)")
        private double lr = 1e-4;
        @Doc("global-norm clipping threshold of the SDPO steps")
        private double maxGradNorm = 1.0;
        @Doc("teacher update `t <- (1 - r) t + r s` after each SDPO step")
        private double emaRate = TrainConfig.DEFAULT.emaRate();
        @Doc("the objective of the SDPO steps (`name` must be `sdpo`)")
        private ObjectiveConfig objective = ObjectiveConfig.DEFAULT;
        @Doc("sampling temperature of every method; `objective.divergence.temperature` must equal it")
        private double temperature = 1.0;
        @Doc("response length limit")
        private int maxNewTokens = TrainConfig.DEFAULT.maxNewTokens();
        @Doc("teacher-context templates")
        private String promptsDir = "prompts";
        @Doc("the chat template's system turn and variables")
        private ChatConfig chat = ChatConfig.DEFAULT;
        @Doc("SDPO on fresh low-rank adapters per question instead of a throw-away copy of every weight")
        private LoraConfig lora = LoraConfig.DEFAULT;
        @Doc("multi-turn: earlier (attempt, feedback) exchanges kept in the conversation, newest first")
        private int historyTurns = 3;
        @Doc("resamples behind each 95% confidence interval (seeds, then questions)")
        private int bootstrapReplicates = 2000;
        @Doc("seed of the bootstrap's resampling")
        private long bootstrapSeed = 0;

        private Builder() {}

        public Builder model(String v) { model = v; return this; }
        public Builder env(EnvConfig v) { env = v; return this; }
        public Builder questions(String v) { questions = v; return this; }
        public Builder hard(int v) { hard = v; return this; }
        public Builder hardSamples(int v) { hardSamples = v; return this; }
        public Builder budget(int v) { budget = v; return this; }
        public Builder roundSize(int v) { roundSize = v; return this; }
        public Builder methods(List<DiscoveryMethod> v) { methods = v; return this; }
        public Builder seeds(List<Long> v) { seeds = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder emaRate(double v) { emaRate = v; return this; }
        public Builder objective(ObjectiveConfig v) { objective = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder maxNewTokens(int v) { maxNewTokens = v; return this; }
        public Builder promptsDir(String v) { promptsDir = v; return this; }
        public Builder chat(ChatConfig v) { chat = v; return this; }
        public Builder lora(LoraConfig v) { lora = v; return this; }
        public Builder historyTurns(int v) { historyTurns = v; return this; }
        public Builder bootstrapReplicates(int v) { bootstrapReplicates = v; return this; }
        public Builder bootstrapSeed(long v) { bootstrapSeed = v; return this; }

        public DiscoverConfig build() {
            return new DiscoverConfig(model, env, questions, hard, hardSamples, budget, roundSize, methods, seeds, lr, maxGradNorm,
                    emaRate, objective, temperature, maxNewTokens, promptsDir, chat, lora, historyTurns, bootstrapReplicates,
                    bootstrapSeed);
        }
    }
}
