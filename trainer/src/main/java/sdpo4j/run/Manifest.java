package sdpo4j.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code manifest.json}: the size and SHA-256 of every file under a directory, written after
 * all of them. A rename makes a directory appear whole, but a disk that lies about a flush, a
 * copy cut short or a bit flipped later leaves a directory that looks complete and is not;
 * only a record of what each file should hold tells the two apart.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifest() {}

    /** Records every regular file under {@code dir} (paths relative, with '/'); call it after the last write. */
    public static void write(Path dir) {
        ObjectNode files = JSON.createObjectNode();
        for (Path file : filesUnder(dir)) {
            ObjectNode entry = files.putObject(relative(dir, file));
            try {
                entry.put("size", Files.size(file));
                entry.put("sha256", sha256(file));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + file + " for the manifest: " + e.getMessage(), e);
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        root.set("files", files);
        try {
            AtomicFiles.writeString(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What is wrong with {@code dir} against its manifest, one phrase per problem, in file order;
     * empty when every recorded file is there with its size and hash.
     */
    public static List<String> verify(Path dir) {
        List<String> problems = new ArrayList<>();
        JsonNode files;
        try {
            files = JSON.readTree(dir.resolve(FILE).toFile()).path("files");
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return List.of("no " + FILE + " (the checkpoint was never finished, or was written by an older version)");
        } catch (IOException e) {
            return List.of(FILE + " is unreadable: " + firstLine(e.getMessage()));
        }
        if (!files.isObject() || files.isEmpty()) {
            return List.of(FILE + " lists no files");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path file = dir.resolve(e.getKey());
            long size = e.getValue().path("size").asLong(-1);
            String hash = e.getValue().path("sha256").asText("");
            try {
                if (!Files.isRegularFile(file)) {
                    problems.add(e.getKey() + " is missing");
                } else if (Files.size(file) != size) {
                    problems.add(e.getKey() + " has " + Files.size(file) + " bytes, the manifest says " + size);
                } else if (!sha256(file).equals(hash)) {
                    problems.add(e.getKey() + " has the right size but the wrong SHA-256 (its content changed)");
                }
            } catch (IOException ex) {
                problems.add(e.getKey() + " is unreadable: " + firstLine(ex.getMessage()));
            }
        }
        return problems;
    }

    private static List<Path> filesUnder(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.equals(dir.resolve(FILE))).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse(message);
    }
}
