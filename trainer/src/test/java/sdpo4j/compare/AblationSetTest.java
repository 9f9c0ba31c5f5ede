package sdpo4j.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigException;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.train.TrainConfig;

/** configs/ablations/ as the loader reads it, and the mistakes a hand-written set can make. */
class AblationSetTest {
    static final Path SET = Path.of("../configs/ablations");

    @TempDir
    Path dir;

    @Test
    void theShippedSetHasEveryAblationOfTheIssueWithItsReference() {
        AblationSet set = AblationSet.load(SET, List.of());
        Map<String, Arm> arms = set.arms().stream().collect(Collectors.toMap(Arm::label, Function.identity()));
        assertEquals(List.of("grpo", "sdpo", "credit"), set.arms().subList(0, 3).stream().map(Arm::label).toList());
        assertEquals(null, arms.get("grpo").reference());
        assertEquals("grpo", arms.get("sdpo").reference());
        TrainConfig sdpo = arms.get("sdpo").train();
        // the references are SDPO's defaults: both sources, EMA 0.05, top-K 20; Credit's lambda 0.1, C 1
        assertEquals(sdpo4j.env.RepromptConfig.DEFAULT, sdpo.reprompt());
        assertEquals(0.05, sdpo.emaRate());
        assertEquals(20, sdpo.objective().divergence().topK());
        assertEquals(0.1, arms.get("credit").train().objective().creditLambda());
        assertEquals(1, arms.get("credit").train().objective().contrastPrompts());
        Map<String, String> expected = Map.ofEntries(
                Map.entry("context-feedback", "sdpo|reprompt.include-solution: false"),
                Map.entry("context-solution", "sdpo|reprompt.include-feedback: false"),
                Map.entry("context-both-always", "sdpo|reprompt.feedback-only-without-solution: false"),
                Map.entry("ema-0", "sdpo|ema-rate: 0.0"),
                Map.entry("ema-1", "sdpo|ema-rate: 1.0"),
                Map.entry("topk-1", "sdpo|objective.divergence.top-k: 1"),
                Map.entry("topk-100", "sdpo|objective.divergence.top-k: 100"),
                Map.entry("topk-full", "sdpo|objective.divergence.top-k: 100000"),
                Map.entry("credit-lambda-0.0", "sdpo|objective.name: credit, objective.credit-lambda: 0.0"),
                Map.entry("credit-lambda-0.5", "sdpo|objective.name: credit, objective.credit-lambda: 0.5"),
                Map.entry("credit-lambda-1.0", "sdpo|objective.name: credit, objective.credit-lambda: 1.0"),
                Map.entry("credit-c2", "credit|objective.name: credit, objective.contrast-prompts: 2"),
                Map.entry("credit-c4", "credit|objective.name: credit, objective.contrast-prompts: 4"),
                Map.entry("hybrid", "sdpo|objective.name: hybrid"),
                Map.entry("rft", "grpo|objective.name: rft"));
        assertEquals(3 + expected.size(), set.arms().size());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Arm a = arms.get(e.getKey());
            assertEquals(e.getValue(), a.reference() + "|" + a.changes(), e.getKey());
            assertTrue(!a.ablation().isBlank() && !a.setting().isBlank(), e.getKey());
        }
        // every arm shares the base's budget, so the pairs compare equal compute per step
        for (Arm a : set.arms()) {
            assertEquals(sdpo.steps(), a.train().steps(), a.label());
            assertEquals(sdpo.prompts() * sdpo.groupSize(), a.train().prompts() * a.train().groupSize(), a.label());
        }
    }

    @Test
    void overridesOfTheBaseReachEveryArmUnlessItsFileSetsTheKey() {
        AblationSet set = AblationSet.load(SET, List.of("train.steps=4", "train.ema-rate=0.2", "seeds=[5, 6]"));
        assertEquals(List.of(5L, 6L), set.base().seeds());
        for (Arm a : set.arms()) {
            assertEquals(4, a.train().steps(), a.label());
            assertEquals(a.label().startsWith("ema-") ? a.label().equals("ema-0") ? 0.0 : 1.0 : 0.2, a.train().emaRate(), a.label());
        }
        assertEquals(ObjectiveKind.RFT, set.arms().stream().filter(a -> a.label().equals("rft")).findFirst().orElseThrow()
                .train().objective().name());
    }

    private String error(Map<String, String> files) throws Exception {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
        return assertThrows(ConfigException.class, () -> AblationSet.load(dir, List.of())).getMessage();
    }

    private static final String BASE = "methods: [grpo, sdpo]\n";

    @Test
    void aMissingBaseOrNoAblationIsNamed() throws Exception {
        assertEquals(dir + "/base.yaml: missing: the set's shared run, seeds and reference methods (a compare config)",
                error(Map.of("a.yaml", "ablation: x\nsetting: y\n")));
        Files.delete(dir.resolve("a.yaml"));
        assertEquals(dir + ": no ablation files (*.yaml besides base.yaml)", error(Map.of("base.yaml", BASE)));
        assertEquals(dir.resolve("nowhere") + ": no such directory (an ablation set is a directory holding base.yaml and one "
                + "YAML file per ablation)", assertThrows(ConfigException.class,
                        () -> AblationSet.load(dir.resolve("nowhere"), List.of())).getMessage());
    }

    @Test
    void aBadAblationFileIsNamedWithItsKey() throws Exception {
        assertEquals(dir + "/a.yaml: key 'reference': value 'credit' names no arm; allowed: one of [grpo, sdpo, a]",
                error(Map.of("base.yaml", BASE, "a.yaml", "ablation: x\nsetting: y\nreference: credit\n")));
        String typo = error(Map.of("a.yaml", "ablation: x\nsetting: y\ntrain:\n  ema-rat: 0\n"));
        assertTrue(typo.startsWith(dir + "/a.yaml:4: unknown key 'train.ema-rat' (did you mean 'ema-rate'?)"), typo);
        assertEquals(dir + "/a.yaml: 'ablation' and 'setting' are required: what the file varies and the value it tries, "
                + "e.g. ablation: EMA rate, setting: 0 (frozen initial teacher)", error(Map.of("a.yaml", "setting: y\n")));
        Files.delete(dir.resolve("a.yaml"));
        assertEquals(dir + "/sdpo.yaml: the arm name 'sdpo' is already a method of base.yaml; rename the file",
                error(Map.of("sdpo.yaml", "ablation: x\nsetting: y\nreference: grpo\n")));
        Files.delete(dir.resolve("sdpo.yaml"));
        String both = error(Map.of("b.yaml", "ablation: x\nsetting: y\ntrain: {reprompt: {include-solution: false, "
                + "include-feedback: false}}\n"));
        assertTrue(both.contains("key 'train.reprompt.include-feedback': value false is not allowed; allowed: true when "
                + "include-solution is false"), both);
    }
}
