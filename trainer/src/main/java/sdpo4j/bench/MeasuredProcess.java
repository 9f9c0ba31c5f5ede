package sdpo4j.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a command as a child process and records its peak resident memory, so that each measured
 * task has a peak of its own rather than the most any earlier task in one JVM reached. The peak is
 * the kernel's high-water mark ({@code VmHWM} in {@code /proc/PID/status}, Linux), read every
 * 100 ms while the child lives; a child that passes {@code capBytes} is killed, so that a task which
 * would take a shared machine's memory stops at a stated limit instead.
 */
public final class MeasuredProcess {
    private static final long POLL_MILLIS = 100;

    private MeasuredProcess() {}

    /**
     * What the child did.
     *
     * @param exitCode the child's exit status (a killed child's is the signal's)
     * @param peakBytes the highest resident set seen (at least the cap when it was killed for it)
     * @param cappedAt the cap it passed and was killed at, or 0
     * @param seconds wall time from start to exit
     * @param output stdout and stderr together
     */
    public record Outcome(int exitCode, long peakBytes, long cappedAt, double seconds, String output) {
        public boolean ok() {
            return exitCode == 0 && cappedAt == 0;
        }
    }

    public static Outcome run(List<String> command, long capBytes) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // A parent stopped by a signal takes its child along: an orphaned child would hold gigabytes unwatched.
        Thread reaper = new Thread(p::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            Path status = Path.of("/proc/" + p.pid() + "/status");
            long peak = 0;
            long capped = 0;
            while (p.isAlive()) {
                peak = Math.max(peak, highWaterMark(status));
                if (capBytes > 0 && peak > capBytes) {
                    capped = capBytes;
                    p.destroyForcibly();
                    break;
                }
                p.waitFor(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            int rc = p.waitFor();
            return new Outcome(rc, peak, capped, (System.nanoTime() - t0) / 1e9, out.join());
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /**
     * The command that starts this JVM again on {@code mainClass}: the same java, class path and
     * JVM options (the launcher's {@code -D} settings: offline engine, torch threads), so that a
     * child measures the same engine configuration as its parent.
     */
    public static List<String> sameJvm(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** VmHWM of a live process in bytes; 0 once it has gone (the file vanishes or loses the line). */
    static long highWaterMark(Path status) {
        return Math.max(0, ProcStatus.kib(status, "VmHWM") * 1024);
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
