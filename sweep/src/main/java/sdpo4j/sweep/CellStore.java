package sdpo4j.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import sdpo4j.run.AtomicFiles;
import sdpo4j.run.RunDirectory;

/**
 * A sweep's cells on disk: {@code cells/HASH/} is a finished cell, its run directory with
 * {@code cell.json}. An attempt runs in {@code cells/.attempts/HASH-ATTEMPT/} and is committed by
 * renaming it to {@code cells/HASH}, which succeeds for one attempt only: a retried or duplicate
 * task never yields a second copy, and a cell that has its directory is never run again. Every
 * attempt's start and end is appended to {@code cells/attempts.log}, one line each, from
 * whichever JVM ran it: the record that a cell was committed once.
 */
final class CellStore {
    static final String RESULT_FILE = "cell.json";
    static final String LOG_FILE = "attempts.log";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path cells;

    CellStore(Path sweepDir) {
        this.cells = sweepDir.resolve("cells");
    }

    Path dir(String hash) {
        return cells.resolve(hash);
    }

    /** The finished cell's result, if it has one. */
    Optional<CellResult> finished(String hash) {
        Path f = dir(hash).resolve(RESULT_FILE);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), CellResult.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** A fresh, empty directory for one attempt at a cell. */
    RunDirectory attempt(String hash, String attemptId) {
        return RunDirectory.create(cells.resolve(".attempts"), hash + "-" + attemptId, true);
    }

    /**
     * Writes the result into the attempt and commits it as the cell; returns the committed
     * result, which is another attempt's when that one committed first (ours is then deleted).
     */
    CellResult commit(RunDirectory attempt, CellResult result) {
        try {
            AtomicFiles.writeString(attempt.resolve(RESULT_FILE), JSON.writeValueAsString(result));
            try {
                Files.move(attempt.path(), dir(result.hash()), StandardCopyOption.ATOMIC_MOVE);
                log(result.hash(), attempt.path().getFileName().toString(), "committed");
                return result;
            } catch (IOException e) {
                // rename(2) refuses a non-empty target: another attempt committed this cell first.
                Optional<CellResult> first = finished(result.hash());
                if (first.isEmpty()) {
                    throw e;
                }
                AtomicFiles.deleteTree(attempt.path());
                log(result.hash(), attempt.path().getFileName().toString(), "discarded (committed before)");
                return first.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit cell " + result.hash() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends {@code HASH ATTEMPT EVENT} to the log. One short line per write(2) with O_APPEND, so
     * lines from concurrent executors on one file system do not interleave.
     */
    void log(String hash, String attempt, String event) {
        Path f = cells.resolve(LOG_FILE);
        try {
            Files.createDirectories(cells);
            Files.writeString(f, hash + " " + attempt + " " + event + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + f + ": " + e.getMessage(), e);
        }
    }

    /** Removes attempts left by killed tasks of an earlier run of the sweep. */
    void clearAttempts() {
        try {
            AtomicFiles.deleteTree(cells.resolve(".attempts"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + cells.resolve(".attempts") + ": " + e.getMessage(), e);
        }
    }
}
