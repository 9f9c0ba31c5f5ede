package sdpo4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sdpo4j.config.ConfigDocs;
import sdpo4j.config.GeneratedSections;

/**
 * {@code sdpo4j config-docs}: the config key tables rendered from the code, printed, or with
 * {@code --write} put into the docs between their {@code <!-- generated: NAME -->} markers.
 */
@Command(name = "config-docs", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Print every config's key table (key, default, meaning), rendered from the code's defaults and "
                + "@Doc texts; --write replaces the marked tables in the docs instead (for developers: run it after "
                + "changing a default or a @Doc)."})
public final class ConfigDocsCommand implements Callable<Integer> {
    @Option(names = "--write", description = "rewrite the generated sections of the docs' Markdown files")
    boolean write;

    @Spec
    CommandSpec spec;

    @Option(names = "--docs", description = "the docs folder (default: docs/ of the sdpo4j checkout, else ./docs)")
    Path docs;

    /** Registers {@code config-docs} with the launcher. */
    public static final class Provider implements SubcommandProvider {
        @Override
        public Object command() {
            return new ConfigDocsCommand();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> tables = new LinkedHashMap<>();
        for (ConfigDocs.Section s : ConfigDocs.sections()) {
            tables.put(s.name(), ConfigDocs.table(s));
        }
        if (!write) {
            tables.forEach((name, table) -> out.println("<!-- generated: " + name + " -->\n" + table
                    + "<!-- end generated -->\n"));
            return 0;
        }
        Path dir = docs != null ? docs : System.getenv("SDPO4J_HOME") != null
                ? Path.of(System.getenv("SDPO4J_HOME"), "docs") : Path.of("docs");
        List<String> placed = new ArrayList<>();
        for (Path file : GeneratedSections.markdownFiles(dir)) {
            String text = GeneratedSections.read(file);
            placed.addAll(GeneratedSections.marked(text).keySet());
            String updated = GeneratedSections.rewrite(text, tables);
            if (!updated.equals(text)) {
                try {
                    Files.writeString(file, updated, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file, e);
                }
                out.println("updated " + file);
            }
        }
        List<String> missing = new ArrayList<>(tables.keySet());
        missing.removeAll(placed);
        if (!missing.isEmpty()) {
            spec.commandLine().getErr().println("error: no docs file in " + dir + " has a section for " + missing
                    + " (add '<!-- generated: NAME -->' and '<!-- end generated -->' lines where each table belongs)");
            return Main.USER_ERROR;
        }
        return 0;
    }
}
