package sdpo4j.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that are never seen half-done: the bytes go to a temporary file in the same
 * directory, are forced to disk, and the file is renamed over the target in one step.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content a callback streams out; for files too large to hold as one array. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    public static void write(Path target, Content content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The write's own error is the one to report.
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a file or a directory tree; nothing happens when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** Fills a directory that a callback writes into. */
    public interface DirectoryContent {
        void writeInto(Path dir) throws IOException;
    }

    /**
     * Writes a whole directory that appears complete or not at all: the callback fills
     * {@code .NAME.partial} beside the target, which then replaces the target by renames (an older
     * target is moved aside first and deleted last). On failure the partial directory is removed and
     * the error is rethrown; the target is left as it was.
     */
    public static void writeDirectory(Path target, DirectoryContent content) throws IOException {
        Path dir = target.toAbsolutePath();
        Path tmp = dir.resolveSibling("." + dir.getFileName() + ".partial");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            content.writeInto(tmp);
            Path old = dir.resolveSibling("." + dir.getFileName() + ".old");
            deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // the write's own error is the one to report; a leftover .partial is removed by the next write
            }
            throw e;
        }
    }

    public static void writeString(Path target, String text) {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
