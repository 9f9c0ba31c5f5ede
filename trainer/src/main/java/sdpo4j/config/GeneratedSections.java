package sdpo4j.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The generated parts of the Markdown docs: the lines between {@code <!-- generated: NAME ... -->}
 * and {@code <!-- end generated -->}, which {@code bin/sdpo4j config-docs --write} owns and
 * everything else in the file is left to the writer.
 */
public final class GeneratedSections {
    private GeneratedSections() {}

    private static final Pattern START = Pattern.compile("^<!-- generated: ([a-z0-9-]+)\\b.*-->\\s*$");
    private static final String END = "<!-- end generated -->";

    /** A generated section as found in a docs file. */
    public record Marked(Path file, String text) {}

    /** The generated sections of a Markdown text: name -> the text between its markers. */
    public static Map<String, String> marked(String markdown) {
        Map<String, String> found = new LinkedHashMap<>();
        String name = null;
        StringBuilder body = null;
        for (String line : markdown.split("\n", -1)) {
            Matcher m = START.matcher(line);
            if (name == null && m.matches()) {
                name = m.group(1);
                body = new StringBuilder();
            } else if (name != null && line.strip().equals(END)) {
                if (found.put(name, body.toString()) != null) {
                    throw new IllegalArgumentException("generated section '" + name + "' appears twice");
                }
                name = null;
            } else if (name != null) {
                body.append(line).append('\n');
            }
        }
        if (name != null) {
            throw new IllegalArgumentException("generated section '" + name + "' has no " + END);
        }
        return found;
    }

    /** {@code markdown} with the sections named in {@code tables} replaced; others are kept as they are. */
    public static String rewrite(String markdown, Map<String, String> tables) {
        marked(markdown); // rejects an unterminated or repeated section before anything is replaced
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = START.matcher(line);
            if (!skipping && m.matches() && tables.containsKey(m.group(1))) {
                out.append(line).append('\n').append(tables.get(m.group(1)));
                skipping = true;
                continue;
            }
            if (skipping && line.strip().equals(END)) {
                skipping = false;
            }
            if (!skipping) {
                out.append(line);
                if (i < lines.length - 1) {
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    /** The generated sections of every {@code *.md} file in {@code docsDir}: name -> (file, text). */
    public static Map<String, Marked> markedIn(Path docsDir) {
        Map<String, Marked> all = new TreeMap<>();
        for (Path file : markdownFiles(docsDir)) {
            for (Map.Entry<String, String> e : marked(read(file)).entrySet()) {
                Marked previous = all.put(e.getKey(), new Marked(file, e.getValue()));
                if (previous != null) {
                    throw new IllegalArgumentException("generated section '" + e.getKey() + "' is in both "
                            + previous.file() + " and " + file);
                }
            }
        }
        return all;
    }

    /** The Markdown files of a folder, sorted. */
    public static List<Path> markdownFiles(Path docsDir) {
        try (Stream<Path> s = Files.list(docsDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + docsDir, e);
        }
    }

    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
