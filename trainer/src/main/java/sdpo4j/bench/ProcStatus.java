package sdpo4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory fields of a Linux process's {@code /proc/PID/status}, for the benchmarks' RSS figures. */
final class ProcStatus {
    static final Path SELF = Path.of("/proc/self/status");

    private ProcStatus() {}

    /**
     * The value in KiB of {@code field} ({@code VmRSS}, {@code VmHWM}, ...) in {@code status}; -1 when
     * the file cannot be read (not Linux, or the process has gone) or has no such line.
     */
    static long kib(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
