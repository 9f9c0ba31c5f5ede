package sdpo4j.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import sdpo4j.config.ConfigLoader;

/**
 * {@code runs/<name>/}: where a run keeps its resolved config, metrics and outputs. A
 * non-empty directory is never silently reused: a new run refuses it unless told to
 * overwrite, so that results of an earlier run are not mixed with a new one.
 */
public final class RunDirectory {
    public static final String CONFIG_FILE = "config.yaml";
    public static final String METRICS_FILE = "metrics.jsonl";

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates (or, with {@code overwrite}, reuses) {@code runsDir/name} and checks that it is
     * writable, before any work starts.
     */
    public static RunDirectory create(Path runsDir, String name, boolean overwrite) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\") || name.equals("..")) {
            throw new RunException("run name '" + name + "' must be a plain directory name (no slashes)");
        }
        Path dir = runsDir.resolve(name);
        try {
            if (Files.isDirectory(dir) && !overwrite) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new RunException("run directory " + dir + " already holds a run; choose another --name or pass --overwrite");
                    }
                }
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new RunException("cannot use run directory " + dir + ": " + describe(e));
        }
        return new RunDirectory(dir);
    }

    /** An existing run directory (to resume), checked to be writable. */
    public static RunDirectory existing(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RunException("run directory " + dir + " does not exist");
        }
        try {
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new RunException("cannot use run directory " + dir + ": " + describe(e));
        }
        return new RunDirectory(dir);
    }

    /**
     * Removes a new run's directory when the run failed before doing anything (bad dataset,
     * unreadable model), so that the corrected command can be run again under the same name
     * without {@code --overwrite}: nothing in it, at any depth, but config files and empty files.
     * A run that wrote anything else (a metrics line, a checkpoint, a finished sub-run) is kept whole.
     */
    public static void removeIfNothingDone(RunDirectory dir) {
        try (var files = Files.walk(dir.path())) {
            boolean didSomething = files.filter(Files::isRegularFile)
                    .anyMatch(f -> !f.getFileName().toString().equals(CONFIG_FILE) && sizeOf(f) > 0);
            if (!didSomething) {
                AtomicFiles.deleteTree(dir.path());
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: the original error is the one to report
        }
    }

    /**
     * Runs a new run's work in this directory; when it fails, the directory is removed if nothing
     * was done in it ({@link #removeIfNothingDone}) and the failure passes on unchanged.
     */
    public <T> T removedIfItFails(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            removeIfNothingDone(this);
            throw e;
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 1; // unreadable: keep the directory
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage();
    }

    public Path path() {
        return path;
    }

    public Path resolve(String file) {
        return path.resolve(file);
    }

    /** Writes the resolved config as {@code config.yaml}. */
    public void writeConfig(Object config) {
        AtomicFiles.writeString(resolve(CONFIG_FILE), ConfigLoader.toYaml(config));
    }

    public MetricsLog openMetrics() {
        return MetricsLog.open(resolve(METRICS_FILE));
    }
}
