package sdpo4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.LmCommands;
import sdpo4j.cli.Main;
import sdpo4j.compare.CompareConfig;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.train.TrainConfig;

/** The docs' key tables are the code's: defaults and @Doc texts, rendered by {@link ConfigDocs}. */
class ConfigDocsTest {
    static final Path DOCS = Path.of("../docs");

    @TempDir
    Path dir;

    @Test
    void theDocsTablesAreTheCodes() {
        Map<String, GeneratedSections.Marked> marked = GeneratedSections.markedIn(DOCS);
        for (ConfigDocs.Section s : new LmCommands.Configs().sections()) {
            GeneratedSections.Marked m = marked.get(s.name());
            assertNotNull(m, "no '<!-- generated: " + s.name() + " -->' section in " + DOCS);
            assertEquals(ConfigDocs.table(s), m.text(), m.file() + ": the '" + s.name()
                    + "' table differs from the code; run bin/sdpo4j config-docs --write");
        }
    }

    @Test
    void everyKeyHasADoc() {
        assertEquals(List.of(), ConfigDocs.undocumented(TrainConfig.class));
        assertEquals(List.of(), ConfigDocs.undocumented(CompareConfig.class));
        assertEquals(List.of(), ConfigDocs.undocumented(sdpo4j.compare.Ablation.class));
        assertEquals(List.of(), ConfigDocs.undocumented(SamplingConfig.class));
    }

    @Test
    void theLaunchersSectionsIncludeTheTrainers() {
        List<String> names = ConfigDocs.sections().stream().map(ConfigDocs.Section::name).toList();
        assertTrue(names.containsAll(List.of("train", "compare")), names.toString());
    }

    record Leaf(int count, List<String> names) {
        static final class Builder {
            @Doc("how many | or fewer")
            private int count = 3;
            @Doc("the names")
            private List<String> names = List.of("a", "*");
        }
    }

    record Top(double rate, Leaf leaf, Mode mode, Double optional) {
        static final class Builder {
            @Doc("a rate")
            private double rate = 1e-5;
            @Doc("a section")
            private Leaf leaf;
            private Mode mode;
            @Doc("nothing by default")
            private Double optional;
        }
    }

    enum Mode { FAST_PATH }

    @Test
    void aTableHasValuesFirstThenSectionsInYamlSpelling() {
        String table = ConfigDocs.table(new ConfigDocs.Section("t", Top.class,
                new Top(1e-5, new Leaf(3, List.of("a", "*")), Mode.FAST_PATH, null)));
        assertEquals("""
                | key | default | meaning |
                |---|---|---|
                | `rate` | `1.0E-5` | a rate |
                | `mode` | `fast-path` |  |
                | `optional` | `null` | nothing by default |
                | `leaf` | (section) | a section |
                | `leaf.count` | `3` | how many \\| or fewer |
                | `leaf.names` | `[a, '*']` | the names |
                """, table);
        assertEquals(List.of("mode (Top.mode)"), ConfigDocs.undocumented(Top.class));
    }

    @Test
    void rewriteReplacesOnlyTheNamedSections() {
        String doc = "intro\n<!-- generated: a (note) -->\nold\n<!-- end generated -->\nmiddle\n"
                + "<!-- generated: b -->\nkept\n<!-- end generated -->\nend";
        String out = GeneratedSections.rewrite(doc, Map.of("a", "| new |\n"));
        assertEquals("intro\n<!-- generated: a (note) -->\n| new |\n<!-- end generated -->\nmiddle\n"
                + "<!-- generated: b -->\nkept\n<!-- end generated -->\nend", out);
        assertEquals(Map.of("a", "| new |\n", "b", "kept\n"), GeneratedSections.marked(out));
        assertThrows(IllegalArgumentException.class, () -> GeneratedSections.rewrite("<!-- generated: a -->\nx\n", Map.of("a", "")));
    }

    @Test
    void configDocsWriteRefreshesTheMarkedTablesAndNamesMissingOnes() throws IOException {
        Path file = dir.resolve("t.md");
        Files.writeString(file, "# T\n<!-- generated: train -->\nstale\n<!-- end generated -->\n"
                + "<!-- generated: compare -->\n<!-- end generated -->\n<!-- generated: ablation -->\n<!-- end generated -->\n"
                + "<!-- generated: discover -->\n<!-- end generated -->\n");
        assertEquals(0, run("config-docs", "--write", "--docs", dir.toString()));
        Map<String, String> marked = GeneratedSections.marked(Files.readString(file));
        assertEquals(ConfigDocs.table(new ConfigDocs.Section("train", TrainConfig.class, TrainConfig.DEFAULT)), marked.get("train"));

        Files.writeString(file, "# nothing marked\n");
        StringWriter err = new StringWriter();
        assertEquals(2, Main.execute(new String[] {"config-docs", "--write", "--docs", dir.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)));
        assertTrue(err.toString().contains("no docs file in " + dir + " has a section for [train, compare, ablation, discover]"), err.toString());
    }

    private static int run(String... args) {
        return Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
    }
}
