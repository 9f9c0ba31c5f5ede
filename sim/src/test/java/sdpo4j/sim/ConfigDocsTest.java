package sdpo4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sdpo4j.bridge.BridgeCommand;
import sdpo4j.bridge.BridgeConfig;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.GeneratedSections;
import sdpo4j.config.ConfigLoader;

/** The simulator's and the bridge's key tables in the docs are the code's, and their builders carry every key. */
class ConfigDocsTest {
    static final Path DOCS = Path.of("../docs");

    @Test
    void theDocsTablesAreTheCodes() {
        List<ConfigDocs.Section> sections = new ArrayList<>(new SimCommands.Configs().sections());
        sections.addAll(new BridgeCommand.Configs().sections());
        Map<String, GeneratedSections.Marked> marked = GeneratedSections.markedIn(DOCS);
        for (ConfigDocs.Section s : sections) {
            GeneratedSections.Marked m = marked.get(s.name());
            assertNotNull(m, "no '<!-- generated: " + s.name() + " -->' section in " + DOCS);
            assertEquals(ConfigDocs.table(s), m.text(), m.file() + ": the '" + s.name()
                    + "' table differs from the code; run bin/sdpo4j config-docs --write");
        }
    }

    @Test
    void everyKeyHasADoc() {
        assertEquals(List.of(), ConfigDocs.undocumented(SimConfig.class));
        assertEquals(List.of(), ConfigDocs.undocumented(BridgeConfig.class));
    }

    @Test
    void everyMarkedSectionIsAConfigOnTheLaunchersClassPath() {
        List<String> names = ConfigDocs.sections().stream().map(ConfigDocs.Section::name).sorted().toList();
        assertEquals(List.of("ablation", "bridge", "compare", "discover", "sim", "train"), names);
        // The sweep module (Spark) adds the sweep config's table: its own ConfigDocsTest checks it.
        List<String> all = new ArrayList<>(names);
        all.add("sweep");
        assertEquals(all.stream().sorted().toList(), List.copyOf(GeneratedSections.markedIn(DOCS).keySet()));
    }

    @Test
    void toBuilderCarriesEveryKey() throws ReflectiveOperationException {
        SimConfig sim = ConfigLoader.load(SimConfig.class, SimConfig.PAPER, null, List.of("steps=50", "rollouts=8", "lr=0.1",
                "ref-kl=0.0", "beta=1.0", "seeds=2", "seed=3", "multi-seed-offset=7", "final-window=5",
                "baselines-see-true-reward=false", "world.vocab=5", "objective.credit-lambda=0.2", "sets=[noise]",
                "noise-levels=[0.3]", "hybrid-sigma=0.4", "bias-strengths=[3.0]", "entropy-bonuses=[0.5]",
                "teacher-temperatures=[3.0]"));
        assertAllDiffer(SimConfig.PAPER, sim);
        assertEquals(sim, sim.toBuilder().build());

        BridgeConfig bridge = ConfigLoader.load(BridgeConfig.class, BridgeConfig.DEFAULT, null, List.of("seeds=1", "seed=2",
                "steps=5", "final-window=2", "rollouts=4", "lr=0.01", "optimizer=sgd", "ema-rate=0.5", "max-grad-norm=2.0",
                "symbol-positions-only=false", "beta=1.0", "world.length=4", "objective.credit-lambda=0.2", "sets=[noise]",
                "noise-levels=[0.3]", "hybrid-sigma=0.4", "model.layers=1", "pretrain.batch=8", "teacher-check=3",
                "sim-steps=40", "sim-lr=0.1", "sim-ref-kl=0.0", "sim-final-window=4", "prompts-dir=p", "chat.system-prompt=s"));
        assertAllDiffer(BridgeConfig.DEFAULT, bridge);
        assertEquals(bridge, bridge.toBuilder().build());
        assertEquals(bridge.model(), bridge.model().toBuilder().build());
        assertEquals(bridge.pretrain(), bridge.pretrain().toBuilder().build());
    }

    private static void assertAllDiffer(Record defaults, Record changed) throws ReflectiveOperationException {
        for (RecordComponent rc : defaults.getClass().getRecordComponents()) {
            assertNotEquals(rc.getAccessor().invoke(defaults), rc.getAccessor().invoke(changed), rc.getName());
        }
    }
}
