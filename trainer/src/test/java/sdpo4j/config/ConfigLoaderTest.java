package sdpo4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;
import sdpo4j.optim.TopKSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    enum Mode { FAST_PATH, SLOW }

    record Inner(double rate, int count, Mode mode, Double optional) {
        Inner {
            Check.inRange("rate", rate, 0, 1);
            Check.atLeast("count", count, 1);
        }
    }

    record Outer(String name, boolean flag, Inner inner, List<Double> levels) {}

    static final Outer DEFAULTS = new Outer("run", true, new Inner(0.5, 3, Mode.SLOW, null), List.of(0.1, 0.2));

    Path yaml(String text) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, text);
        return f;
    }

    Outer load(String text, String... sets) throws IOException {
        return ConfigLoader.load(Outer.class, DEFAULTS, text == null ? null : yaml(text), List.of(sets));
    }

    String error(String text, String... sets) {
        return assertThrows(ConfigException.class, () -> load(text, sets)).getMessage();
    }

    @Test
    void absentOrEmptyFileGivesTheDefaults() throws IOException {
        assertEquals(DEFAULTS, load(null));
        assertEquals(DEFAULTS, load(""));
        assertEquals(DEFAULTS, load("# only a comment\n"));
    }

    @Test
    void fileValuesMergeOverDefaultsAndSetWins() throws IOException {
        Outer o = load("inner:\n  rate: 0.25\n  mode: fast-path\nlevels: [1, 2.5]\n", "inner.count=7", "inner.rate=0.75");
        assertEquals(new Outer("run", true, new Inner(0.75, 7, Mode.FAST_PATH, null), List.of(1.0, 2.5)), o);
        assertEquals(0.3, load(null, "inner.optional=0.3").inner().optional());
        assertNull(load("inner:\n  optional: null\n").inner().optional());
    }

    @Test
    void unknownKeyNamesTheFileLineAndSuggests() {
        String top = error("name: x\nflgg: false\n");
        assertEquals(dir.resolve("c.yaml") + ":2: unknown key 'flgg' (did you mean 'flag'?); valid keys here: name, flag, inner, levels", top);
        String nested = error("inner:\n  rate: 0.2\n  cuont: 3\n");
        assertEquals(dir.resolve("c.yaml") + ":3: unknown key 'inner.cuont' (did you mean 'count'?); valid keys here: rate, count, mode, optional", nested);
    }

    @Test
    void wrongTypeNamesKeyValueAndExpectedType() {
        assertEquals(dir.resolve("c.yaml") + ":2: key 'inner.count': value 'ten' is not allowed; allowed: an integer",
                error("inner:\n  count: ten\n"));
        assertEquals(dir.resolve("c.yaml") + ":2: key 'inner.count': value 1.5 is not allowed; allowed: an integer",
                error("inner:\n  count: 1.5\n"));
        assertEquals(dir.resolve("c.yaml") + ":1: key 'flag': value 'yes please' is not allowed; allowed: true or false",
                error("flag: yes please\n"));
        assertEquals(dir.resolve("c.yaml") + ":1: key 'inner': value 3 is not allowed; allowed: a section of keys",
                error("inner: 3\n"));
    }

    @Test
    void outOfRangeNamesTheFullKeyAndTheAllowedRange() {
        assertEquals(dir.resolve("c.yaml") + ":2: key 'inner.rate': value 1.5 is not allowed; allowed: a number in [0, 1]",
                error("inner:\n  rate: 1.5\n"));
        assertEquals(dir.resolve("c.yaml") + ":3: key 'inner.count': value 0 is not allowed; allowed: an integer >= 1",
                error("inner:\n  rate: 0.5\n  count: 0\n"));
    }

    @Test
    void badEnumListsTheAllowedValues() {
        assertEquals(dir.resolve("c.yaml") + ":2: key 'inner.mode': value 'fastpath' is not allowed; allowed: one of [fast-path, slow]",
                error("inner:\n  mode: fastpath\n"));
    }

    @Test
    void malformedAndTruncatedYamlNameTheLine() {
        String bad = error("name: x\ninner:\n  rate: [0.1\n");
        assertEquals(true, bad.startsWith(dir.resolve("c.yaml") + ":"), bad);
        assertEquals(true, bad.contains("malformed YAML"), bad);
        String notMapping = error("- a\n- b\n");
        assertEquals(dir.resolve("c.yaml") + ": the file must be a mapping of keys to values, got array", notMapping);
    }

    @Test
    void setErrorsNameTheOverride() {
        assertEquals("--set inner.rat=0.1: unknown key 'inner.rat' (did you mean 'rate'?); valid keys here: rate, count, mode, optional",
                error(null, "inner.rat=0.1"));
        assertEquals("--set inner.rate=2: key 'inner.rate': value 2.0 is not allowed; allowed: a number in [0, 1]",
                error(null, "inner.rate=2"));
        assertEquals("--set inner.count=many: key 'inner.count': value 'many' is not allowed; allowed: an integer",
                error(null, "inner.count=many"));
        assertEquals("--set inner.rate: expected key=value, e.g. --set objective.alpha=0.5", error(null, "inner.rate"));
        assertEquals("--set name.x=1: key 'name' is a value, not a section", error(null, "name.x=1"));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertEquals(missing + ": no such config file",
                assertThrows(ConfigException.class, () -> ConfigLoader.load(Outer.class, DEFAULTS, missing, List.of())).getMessage());
    }

    @Test
    void resolvedConfigRoundTrips() throws IOException {
        Outer o = load("inner:\n  mode: fast-path\n  optional: 0.4\n");
        Path f = dir.resolve("resolved.yaml");
        Files.writeString(f, ConfigLoader.toYaml(o));
        assertEquals(o, ConfigLoader.load(Outer.class, DEFAULTS, f, List.of()));
    }

    @Test
    void optimizerConfigsBindWithKebabKeysAndReportTheirRanges() throws IOException {
        Path f = yaml("name: credit\ndivergence:\n  top-k: 50\n  topk-source: teacher\ncredit-lambda: 0.2\n");
        ObjectiveConfig c = ConfigLoader.load(ObjectiveConfig.class, ObjectiveConfig.DEFAULT, f, List.of());
        assertEquals(ObjectiveKind.CREDIT, c.name());
        assertEquals(50, c.divergence().topK());
        assertEquals(TopKSource.TEACHER, c.divergence().topkSource());
        assertEquals(0.2, c.creditLambda());
        String msg = assertThrows(ConfigException.class, () -> ConfigLoader.load(ObjectiveConfig.class,
                ObjectiveConfig.DEFAULT, f, List.of("divergence.alpha=1.5"))).getMessage();
        assertEquals("--set divergence.alpha=1.5: key 'divergence.alpha': value 1.5 is not allowed; allowed: a number in [0, 1]", msg);
        String fallback = assertThrows(ConfigException.class, () -> ConfigLoader.load(ObjectiveConfig.class,
                ObjectiveConfig.DEFAULT, null, List.of("hybrid.fallback=sdpo"))).getMessage();
        assertEquals("--set hybrid.fallback=sdpo: key 'hybrid.fallback': value 'sdpo' is not allowed; allowed: one of [reinforce, grpo]", fallback);
    }
}
