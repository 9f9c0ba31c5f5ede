package sdpo4j.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.GeneratedSections;

/** The sweep config's key table in docs/scale-out.md is the code's; on this class path every marked table has its config. */
class SweepConfigDocsTest {
    static final Path DOCS = Path.of("../docs");

    @Test
    void theDocsTableIsTheCodes() {
        ConfigDocs.Section s = new SweepCommand.Configs().sections().get(0);
        GeneratedSections.Marked m = GeneratedSections.markedIn(DOCS).get(s.name());
        assertNotNull(m, "no '<!-- generated: sweep -->' section in " + DOCS);
        assertEquals(ConfigDocs.table(s), m.text(), m.file() + ": the sweep table differs from the code; run bin/sdpo4j config-docs --write");
        assertEquals(List.of(), ConfigDocs.undocumented(SweepConfig.class));
    }

    @Test
    void theLaunchersConfigDocsSeesEveryMarkedSection() {
        List<String> names = ConfigDocs.sections().stream().map(ConfigDocs.Section::name).sorted().toList();
        assertEquals(List.copyOf(GeneratedSections.markedIn(DOCS).keySet()), names);
    }
}
