package sdpo4j.env.python;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import sdpo4j.run.AtomicFiles;

/**
 * Runs untrusted Python in layers of containment, each doing one job:
 * <ul>
 *   <li>{@code unshare --net --pid --mount}: no network interface but a down loopback, a PID
 *       namespace whose every process dies with it, and private mounts;</li>
 *   <li>one size-capped tmpfs as the work directory, bound over /tmp, /var/tmp and /dev/shm,
 *       so nothing reaches the real disk and the disk cannot be filled;</li>
 *   <li>{@code setpriv} to the {@code nobody} user with no new privileges: other users' files
 *       (the home directory, the project) are unreadable and the parent cannot be signalled;</li>
 *   <li>{@code prlimit}: CPU seconds, address space, file size, processes, open files;</li>
 *   <li>a wall-clock limit and an output cap enforced here, killing the whole namespace.</li>
 * </ul>
 * Needs root (to create namespaces and mounts), util-linux and a system python3.
 */
public final class Sandbox {
    /**
     * Limits of one run.
     *
     * @param wallSeconds wall-clock limit
     * @param cpuSeconds CPU-time limit
     * @param memoryMiB address-space limit
     * @param diskMiB size of the tmpfs work directory
     * @param maxOutputBytes stdout+stderr kept; a run that writes more is killed
     */
    public record Limits(int wallSeconds, int cpuSeconds, int memoryMiB, int diskMiB, int maxOutputBytes) {
        public static final Limits DEFAULT = new Limits(10, 5, 512, 16, 64 * 1024);
    }

    /** What happened: exit code (or -1 when killed), the (capped) output, and why it was stopped. */
    public record Outcome(int exitCode, String output, boolean timedOut, boolean outputCapped) {}

    /** The environment variable that carries {@link #tag()} into every sandboxed process. */
    public static final String TAG_VARIABLE = "SDPO4J_SANDBOX";

    private final String python;
    private final String tag = java.util.UUID.randomUUID().toString();

    public Sandbox(String python) {
        this.python = python;
    }

    /**
     * This sandbox's own mark, in the environment of every process it starts: a check for leftover
     * processes can then tell this sandbox's processes from those of other sandboxes running on the
     * same machine at the same time (all run as {@code nobody}).
     */
    public String tag() {
        return tag;
    }

    /** Whether this machine can run the sandbox (root, unshare, setpriv, prlimit, python). */
    public static String unavailableReason(String python) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the python sandbox needs root to create namespaces; run as root or in a container";
        }
        for (String tool : List.of("/usr/bin/unshare", "/usr/bin/setpriv", "/usr/bin/prlimit", python)) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (apt-get install -y util-linux python3)";
            }
        }
        return null;
    }

    /** Runs {@code files} (name to content) with {@code python harness.py} in a fresh sandbox. */
    public Outcome run(java.util.Map<String, String> files, String mainFile, Limits limits) throws IOException, InterruptedException {
        Path stage = Files.createTempDirectory("sdpo4j-sandbox-stage");
        Path work = Files.createTempDirectory("sdpo4j-sandbox");
        try {
            for (var f : files.entrySet()) {
                AtomicFiles.writeString(stage.resolve(f.getKey()), f.getValue());
            }
            // One size-capped tmpfs is the only writable place: it is the work directory and is
            // bound over /tmp, /var/tmp and /dev/shm too.
            String inner = String.join(" && ",
                    "mount -t tmpfs -o size=" + limits.diskMiB() + "m,mode=0777 tmpfs " + work,
                    "cp " + stage + "/* " + work + "/",
                    "chmod -R a+rwX " + work,
                    "for d in /var/tmp /dev/shm /tmp; do mount --bind " + work + " $d; done",
                    "cd /tmp",
                    // Not exec: the root shell stays PID 1 of the namespace. setpriv's change of
                    // user clears the parent-death signal, so a dropped-privilege PID 1 would
                    // outlive a killed unshare; the shell does not, and the kernel then kills
                    // every process of the namespace with it.
                    "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs /usr/bin/prlimit"
                            + " --cpu=" + limits.cpuSeconds() + " --as=" + (long) limits.memoryMiB() * 1024 * 1024
                            + " --fsize=" + (long) limits.diskMiB() * 1024 * 1024 + " --nproc=32 --nofile=64 --core=0 -- "
                            + python + " -I -S " + mainFile);
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--net", "--pid", "--fork", "--mount",
                    "--mount-proc", "--kill-child", "/bin/sh", "-c", inner));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("HOME", work.toString());
            pb.environment().put("LANG", "C.UTF-8");
            pb.environment().put(TAG_VARIABLE, tag);
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copyCapped(p.getInputStream(), out, limits.maxOutputBytes(), p));
            reader.setDaemon(true);
            reader.start();
            boolean finished = p.waitFor(limits.wallSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2000);
            boolean capped = out.size() >= limits.maxOutputBytes();
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            return new Outcome(finished ? p.exitValue() : -1, text, !finished, capped);
        } finally {
            AtomicFiles.deleteTree(stage);
            AtomicFiles.deleteTree(work);
        }
    }

    /** Copies at most {@code cap} bytes; past the cap the process is killed (a flood of output is a failure). */
    private static void copyCapped(InputStream in, ByteArrayOutputStream out, int cap, Process p) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    int keep = Math.min(n, cap - out.size());
                    if (keep > 0) {
                        out.write(buf, 0, keep);
                    }
                    if (out.size() >= cap) {
                        p.destroyForcibly();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // The process was killed; what was read is kept.
        }
    }
}
