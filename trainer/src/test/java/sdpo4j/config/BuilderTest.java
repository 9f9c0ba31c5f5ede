package sdpo4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;
import sdpo4j.compare.CompareConfig;
import sdpo4j.env.EnvConfig;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.optim.DivergenceConfig;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.train.TrainConfig;

/** A builder starts from the defaults, and {@code toBuilder} carries every key of a config. */
class BuilderTest {
    /** Every key of the run, and of its env and objective.divergence sections, away from its default. */
    static final List<String> EVERY_KEY = List.of("model=m", "dataset=d.jsonl", "env.name=countdown",
            "env.arithmetic.digits=3", "env.countdown-partial-credit=0.2", "env.sequence-oracle=binary", "env.sequence-sigma=0.1",
            "env.success-threshold=0.5", "env.python=py", "objective.name=credit", "objective.divergence.top-k=5",
            "objective.divergence.topk-source=teacher", "objective.divergence.tail-bucket=false",
            "objective.divergence.temperature=0.5", "objective.divergence.alpha=0.5", "objective.divergence.is-clip=3.0",
            "objective.divergence.mode=full",
            "steps=7", "prompts=6", "group-size=3", "micro-batch-prompts=2", "optimizer-steps-per-rollout=3", "lr=0.001",
            "warmup-steps=2", "adam-beta1=0.8", "adam-beta2=0.99", "adam-epsilon=1.0e-7", "weight-decay=0.1", "ema-rate=0.5",
            "ema-schedule=rollout-batch", "teacher-kind=trust-region", "max-grad-norm=2.0", "max-new-tokens=5", "mask-truncated-completions=true", "temperature=0.5",
            "reprompt.feedback-only-without-solution=false", "reprompt.success-reward-threshold=0.5",
            "reprompt.dont-reprompt-on-self-success=false", "reprompt.remove-thinking=true", "reprompt.include-feedback=false",
            "reprompt.max-reprompt-len=64", "reprompt.truncation=left", "prompts-dir=p", "completions-every=3", "eval.every=4", "checkpoint.keep-last=5",
            "chat.system-prompt=s", "chat.template-variables=[a=1]", "seed=9", "lora.rank=4", "lora.alpha=8", "lora.targets=[q, o]",
            "memory.checkpoint-activations=true", "env.feedback=terse", "objective.rft-threshold=0.5",
            "objective.distillation-weight=0.5");

    @Test
    void toBuilderCarriesEveryKey() throws ReflectiveOperationException {
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, EVERY_KEY);
        // teacher-sync-steps above 1 needs the optimizer-step schedule: its own config
        assertAllDiffer(TrainConfig.DEFAULT, cfg, "teacherSyncSteps");
        TrainConfig everyThird = TrainConfig.builder().teacherSyncSteps(3).build();
        assertEquals(everyThird, everyThird.toBuilder().build());
        assertAllDiffer(EnvConfig.DEFAULT, cfg.env());
        assertAllDiffer(sdpo4j.train.ChatConfig.DEFAULT, cfg.chat());
        assertAllDiffer(DivergenceConfig.DEFAULT, cfg.objective().divergence());
        assertAllDiffer(sdpo4j.env.RepromptConfig.DEFAULT, cfg.reprompt(), "includeSolution");
        // include-solution off needs include-feedback on (a context with neither is refused): its own config
        sdpo4j.env.RepromptConfig feedbackOnly = sdpo4j.env.RepromptConfig.builder().includeSolution(false).build();
        assertEquals(feedbackOnly, feedbackOnly.toBuilder().build());
        assertEquals(cfg, cfg.toBuilder().build());
        assertEquals(cfg.env(), cfg.env().toBuilder().build());
        assertEquals(cfg.objective(), cfg.objective().toBuilder().build());
        assertEquals(cfg.objective().divergence(), cfg.objective().divergence().toBuilder().build());
        sdpo4j.lm.lora.LoraConfig lora = cfg.lora().toBuilder().dropout(0.1).build();
        assertAllDiffer(sdpo4j.lm.lora.LoraConfig.DEFAULT, lora);
        assertEquals(lora, lora.toBuilder().build());
        assertEquals(cfg.memory(), cfg.memory().toBuilder().build());

        CompareConfig compare = CompareConfig.builder().train(cfg).methods(List.of(sdpo4j.optim.ObjectiveKind.SDPO))
                .seeds(List.of(1L, 2L)).accuracyMetric("m").targetAccuracy(0.9).baseline(sdpo4j.optim.ObjectiveKind.SDPO)
                .parallelRuns(2).bootstrapReplicates(500).bootstrapSeed(3).build();
        assertAllDiffer(CompareConfig.DEFAULT, compare);
        assertEquals(compare, compare.toBuilder().build());
        SamplingConfig sampling = SamplingConfig.builder().temperature(0.5).topK(3).topP(0.9).maxNewTokens(7)
                .stopStrings(List.of("x")).seed(4).ignoreEos(true).build();
        assertAllDiffer(SamplingConfig.DEFAULT, sampling);
        assertEquals(sampling, sampling.toBuilder().build());
    }

    @Test
    void theWithSettersChangeOneKey() {
        TrainConfig t = TrainConfig.DEFAULT.withSeed(3).withObjectiveName(sdpo4j.optim.ObjectiveKind.GRPO);
        assertEquals(TrainConfig.builder().seed(3)
                .objective(ObjectiveConfig.builder().name(sdpo4j.optim.ObjectiveKind.GRPO).build()).build(), t);
        assertEquals(new DivergenceConfig(7, sdpo4j.optim.TopKSource.STUDENT, true, 1.0, 1.0, 2.0, sdpo4j.optim.DistillationMode.TOP_K),
                DivergenceConfig.DEFAULT.withTopK(7));
    }

    @Test
    void theBuildersCheckAsTheConstructorsDo() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> TrainConfig.builder().prompts(4).optimizerStepsPerRollout(3).build());
        assertEquals("key 'optimizer-steps-per-rollout': value 3 is not allowed; allowed: a divisor of prompts (4): each "
                + "optimizer step takes whole groups", e.getMessage());
    }

    private static void assertAllDiffer(Record defaults, Record changed, String... except) throws ReflectiveOperationException {
        for (RecordComponent rc : defaults.getClass().getRecordComponents()) {
            if (List.of(except).contains(rc.getName())) {
                continue;
            }
            assertNotEquals(rc.getAccessor().invoke(defaults), rc.getAccessor().invoke(changed), rc.getName());
        }
    }
}
