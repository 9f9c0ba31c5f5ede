package sdpo4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.lm.weights.TinyModels;

/**
 * Every bad-input case of docs/reliability.md, through the real command line: exit 2, exactly
 * one line {@code error: ...} equal to the message the docs table shows (temp paths written as
 * {@code <dir>}), and no run directory left behind. The docs table is the expectation, so the
 * docs cannot drift from the code.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private Path model;
    private Path data;

    /** One case: files to write (relative to dir) and {@code --set} overrides of a valid train run. */
    record Case(String name, Map<String, byte[]> files, List<String> sets) {}

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Case> cases() throws Exception {
        List<Case> c = new ArrayList<>();
        String ok = "{\"prompt\":\"1+1=\",\"answer\":2}\n";
        c.add(new Case("malformed YAML", Map.of("c.yaml", utf8("steps: [1, 2\n")), List.of()));
        c.add(new Case("unknown key", Map.of("c.yaml", utf8("stepz: 3\n")), List.of()));
        c.add(new Case("wrong type", Map.of("c.yaml", utf8("temperature: hot\n")), List.of()));
        c.add(new Case("out-of-range value", Map.of("c.yaml", utf8("ema-rate: 1.5\n")), List.of()));
        c.add(new Case("missing dataset", Map.of(), List.of("dataset=" + dir.resolve("nope.jsonl"))));
        c.add(new Case("empty dataset", Map.of("d.jsonl", utf8("\n\n")), List.of("dataset=" + dir.resolve("d.jsonl"))));
        c.add(new Case("malformed JSON line", Map.of("d.jsonl", utf8(ok + "{\"prompt\": \n")), List.of("dataset=" + dir.resolve("d.jsonl"))));
        c.add(new Case("missing field", Map.of("d.jsonl", utf8("{\"answer\":2}\n")), List.of("dataset=" + dir.resolve("d.jsonl"))));
        c.add(new Case("wrong field type", Map.of("d.jsonl", utf8("{\"prompt\":\"1+1=\",\"answer\":\"two\"}\n")),
                List.of("dataset=" + dir.resolve("d.jsonl"))));
        c.add(new Case("huge line", Map.of("d.jsonl", utf8("{\"prompt\":\"" + "x".repeat(2_000_000) + "\",\"answer\":1}\n")),
                List.of("dataset=" + dir.resolve("d.jsonl"))));
        byte[] bad = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        c.add(new Case("invalid UTF-8", Map.of("d.jsonl", bad), List.of("dataset=" + dir.resolve("d.jsonl"))));
        c.add(new Case("model directory without config.json", Map.of("empty/.keep", new byte[0]), List.of("model=" + dir.resolve("empty"))));
        c.add(new Case("unsupported architecture", Map.of("m2/config.json", utf8("{\"model_type\": \"mamba\"}")),
                List.of("model=" + dir.resolve("m2"))));
        return c;
    }

    /** Cases that corrupt a copy of a valid model directory. */
    private Map<String, java.util.function.Consumer<Path>> modelCorruptions() {
        Map<String, java.util.function.Consumer<Path>> m = new LinkedHashMap<>();
        m.put("truncated safetensors", d -> rewrite(d, b -> java.util.Arrays.copyOf(b, b.length / 2)));
        m.put("bad header length", d -> rewrite(d, b -> {
            b[0] = (byte) 0xFF;
            b[1] = (byte) 0xFF;
            b[2] = (byte) 0xFF;
            b[3] = (byte) 0x7F;
            return b;
        }));
        m.put("wrong tensor shape", d -> {
            try {
                Path cfg = d.resolve("config.json");
                Files.writeString(cfg, Files.readString(cfg).replaceAll("\"n_inner\"\\s*:\\s*64", "\"n_inner\": 48"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        m.put("tokenizer that does not match the model", d -> {
            try {
                Path cfg = d.resolve("config.json");
                var json = new com.fasterxml.jackson.databind.ObjectMapper();
                Path tok = d.resolve("tokenizer.json");
                var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(tok.toFile());
                // A base-vocabulary id past vocab_size: an added token there is allowed (Gemma 3 1B's image token).
                ((com.fasterxml.jackson.databind.node.ObjectNode) root.path("model").path("vocab")).put("<extra>", 400);
                json.writeValue(tok.toFile(), root);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return m;
    }

    private static void rewrite(Path modelDir, java.util.function.UnaryOperator<byte[]> f) {
        try {
            Path w = modelDir.resolve("model.safetensors");
            Files.write(w, f.apply(Files.readAllBytes(w)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String run(String name, List<String> sets, Path config) {
        List<String> args = new ArrayList<>(List.of("train", "--runs-dir", dir.resolve("runs").toString(), "--name", "r"));
        if (config != null) {
            args.addAll(List.of("--config", config.toString()));
        }
        List<String> all = new ArrayList<>(List.of("model=" + model, "dataset=" + data, "prompts-dir=../prompts", "steps=1",
                "eval.dataset=", "prompts=1", "group-size=2", "max-new-tokens=2"));
        all.addAll(sets);
        for (String s : all) {
            args.addAll(List.of("--set", s));
        }
        StringWriter err = new StringWriter();
        int rc = Main.execute(args.toArray(new String[0]), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        String text = err.toString().trim();
        assertEquals(2, rc, name + ": " + text);
        assertFalse(text.contains("\n"), name + ": one line expected, got " + text);
        assertTrue(text.startsWith("error: "), name + ": " + text);
        assertFalse(Files.exists(dir.resolve("runs/r")), name + ": the failed run left its directory behind");
        return text.substring("error: ".length()).replace(dir.toString(), "<dir>");
    }

    @Test
    void aFullJavaHeapSaysHowToGiveItMore() {
        assertEquals("error: the Java heap is full (its maximum is 256 MB; SDPO4J_MALLOC=lean sets 256 MB): give it more with "
                + "SDPO4J_JAVA_OPTS=-Xmx2g", Main.heapFullMessage(256L << 20));
    }

    @Test
    void everyDocumentedCaseFailsWithItsDocumentedOneLineMessage() throws Exception {
        model = dir.resolve("model");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("gpt2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        data = dir.resolve("ok.jsonl");
        Files.writeString(data, "{\"prompt\":\"1+1=\",\"answer\":2}\n");
        Map<String, String> observed = new LinkedHashMap<>();
        for (Case c : cases()) {
            for (Map.Entry<String, byte[]> f : c.files().entrySet()) {
                Files.createDirectories(dir.resolve(f.getKey()).getParent());
                Files.write(dir.resolve(f.getKey()), f.getValue());
            }
            Path config = c.files().containsKey("c.yaml") ? dir.resolve("c.yaml") : null;
            observed.put(c.name(), run(c.name(), c.sets(), config));
        }
        for (Map.Entry<String, java.util.function.Consumer<Path>> e : modelCorruptions().entrySet()) {
            Path copy = dir.resolve("bad-" + observed.size());
            Files.createDirectories(copy);
            try (var files = Files.list(model)) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
            e.getValue().accept(copy);
            observed.put(e.getKey(), run(e.getKey(), List.of("model=" + copy), null).replace(copy.getFileName().toString(), "bad"));
        }
        Map<String, String> documented = documented();
        StringBuilder table = new StringBuilder();
        observed.forEach((k, v) -> table.append("| ").append(k).append(" | `").append(v).append("` |\n"));
        for (Map.Entry<String, String> e : observed.entrySet()) {
            assertEquals(documented.get(e.getKey()), e.getValue(), "docs/reliability.md is out of date; the observed table is:\n" + table);
        }
    }

    /** The {@code | case | `message` |} rows of the docs' bad-input table. */
    private static Map<String, String> documented() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| ([^|`]+?) \\| `(.*)` \\|$").matcher(Files.readString(Path.of("../docs/reliability.md")));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }
}
