package sdpo4j.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster: a Spark master and two workers, each a separate JVM started from
 * this module's own class path (no Spark installation), bound to 127.0.0.1 on free ports. A small
 * simulator sweep is submitted to it; once some cells are committed one worker is killed
 * (SIGKILL, its executor with it, as when a node dies). The sweep still completes: every planned
 * cell has exactly one output, committed exactly once (the attempt log), and every cell's metrics
 * equal those of the same sweep run embedded. Runs with {@code -Pcluster} only (about a minute).
 */
@Tag("cluster")
class ClusterSweepTest {
    /** 12 cells of a few seconds each: enough that a worker is busy when it is killed. */
    static final SweepConfig SWEEP = SweepConfig.builder().base(SweepBase.SIM)
            .set(List.of("steps=20", "rollouts=8", "final-window=4", "sets=[multi-seed]"))
            .grid(List.of(new GridAxis("lr", List.of(DoubleNode.valueOf(0.01), DoubleNode.valueOf(0.02),
                    DoubleNode.valueOf(0.05), DoubleNode.valueOf(0.1)))))
            .seeds(List.of(0L, 1L, 2L)).build();
    /** Heap of the master and worker daemons; each executor gets spark.executor.memory (Spark's minimum is 450 MB). */
    static final String DAEMON_HEAP = "-Xmx256m";
    static final String EXECUTOR_MEMORY = "512m";

    @TempDir
    Path tmp;

    @Test
    void aSweepOnAStandaloneClusterSurvivesALostWorkerAndEqualsLocal() throws Exception {
        long t0 = System.nanoTime();
        Sweep.Outcome local = Sweep.run(SWEEP, tmp.resolve("local"), "local[2]", Map.of("spark.ui.enabled", "false"),
                "test", System.out);
        double localSeconds = (System.nanoTime() - t0) / 1e9;

        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // A worker builds its executors' command from SPARK_HOME/jars (empty here) plus spark.executor.extraClassPath.
        Path sparkHome = Files.createDirectories(tmp.resolve("spark-home/jars"));
        int masterPort = freePort();
        int masterUi = freePort();
        List<Process> daemons = new ArrayList<>();
        try {
            Process master = start(classPath, sparkHome.getParent(), tmp.resolve("master.log"),
                    "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(masterPort),
                    "--webui-port", String.valueOf(masterUi));
            daemons.add(master);
            String url = "spark://127.0.0.1:" + masterPort;
            for (int w = 0; w < 2; w++) {
                Path work = Files.createDirectories(tmp.resolve("worker" + w));
                daemons.add(start(classPath, sparkHome.getParent(), tmp.resolve("worker" + w + ".log"),
                        "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                        "--cores", "1", "--memory", "600m", "--work-dir", work.toString(), url));
            }
            awaitWorkers(masterUi, 2, daemons, tmp);

            Path dir = tmp.resolve("cluster");
            Map<String, String> conf = Map.of("spark.ui.enabled", "false", "spark.driver.host", "127.0.0.1",
                    "spark.driver.bindAddress", "127.0.0.1", "spark.executor.memory", EXECUTOR_MEMORY,
                    "spark.executor.extraClassPath", classPath, "spark.cores.max", "2");
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            long t1 = System.nanoTime();
            CompletableFuture<Sweep.Outcome> run = CompletableFuture.supplyAsync(() -> Sweep.run(SWEEP, dir, url, conf,
                    "test", new PrintStream(new TeeStream(console), true, StandardCharsets.UTF_8)));

            // Some cells committed, the sweep not finished: kill worker 0 and (as when its node dies) its executor.
            Process victim = daemons.get(1);
            awaitCommitted(dir, 3, run);
            List<ProcessHandle> executors = victim.descendants().toList();
            Map<String, Long> rssKb = new TreeMap<>();
            for (int i = 0; i < daemons.size(); i++) {
                rssKb.put(i == 0 ? "master" : "worker" + (i - 1), peakRssKb(daemons.get(i).pid()));
            }
            for (ProcessHandle e : executors) {
                rssKb.put("executor(pid " + e.pid() + ")", peakRssKb(e.pid()));
            }
            int committedAtKill = committed(dir).size();
            victim.destroyForcibly().waitFor();
            executors.forEach(ProcessHandle::destroyForcibly);
            Sweep.Outcome cluster = run.get();
            double clusterSeconds = (System.nanoTime() - t1) / 1e9;
            String out = console.toString(StandardCharsets.UTF_8);
            System.out.printf(Locale.ROOT, "cluster test: local[2] %.1f s, cluster %.1f s (worker killed after %d of %d "
                    + "cells), peak RSS kB %s%n", localSeconds, clusterSeconds, committedAtKill, SWEEP.seeds().size() * 4, rssKb);

            assertTrue(committedAtKill < cluster.cells().size(), "the worker was killed mid-sweep");
            assertTrue(out.contains("an attempt failed on executor"), "the killed worker's running cell failed:\n" + out);
            // Every planned cell has exactly one output directory, and nothing else is there.
            Set<String> planned = cluster.cells().stream().map(Cell::hash).collect(Collectors.toSet());
            try (var entries = Files.list(dir.resolve("cells"))) {
                Set<String> dirs = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith(".")).collect(Collectors.toSet());
                assertEquals(planned, dirs);
            }
            // The attempt log: each cell committed exactly once; the killed attempt started but never committed.
            Map<String, Integer> commits = new HashMap<>();
            committed(dir).forEach(h -> commits.merge(h, 1, Integer::sum));
            for (String h : planned) {
                assertEquals(1, commits.getOrDefault(h, 0), "commits of cell " + h);
            }
            List<String> log = Files.readAllLines(dir.resolve("cells/" + CellStore.LOG_FILE));
            long started = log.stream().filter(l -> l.contains(" started on executor ")).count();
            assertTrue(started > planned.size(), "a lost attempt was restarted elsewhere:\n" + String.join("\n", log));
            // Both executors committed cells, and the results are those of the embedded run, cell for cell.
            Set<String> executorsUsed = cluster.results().values().stream().map(CellResult::executor).collect(Collectors.toSet());
            assertTrue(executorsUsed.size() >= 2, "cells ran on both workers: " + executorsUsed);
            for (Cell c : cluster.cells()) {
                assertEquals(local.results().get(c.hash()).metrics(), cluster.results().get(c.hash()).metrics(),
                        "cell " + c.pointLabel() + " seed " + c.seed());
            }
        } finally {
            for (Process p : daemons) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            for (Process p : daemons) {
                p.waitFor();
            }
        }
    }

    private static Process start(String classPath, Path sparkHome, Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                DAEMON_HEAP));
        // The module options Spark needs on Java 17: the same list surefire gives this JVM.
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")
                    || a.startsWith("-Dai.djl") || a.equals("-XX:+IgnoreUnrecognizedVMOptions")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_DIRS", sparkHome.resolveSibling("local").toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // Without a Spark build tree to look at, the launcher library must be told the Scala version.
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls the master's JSON status until {@code n} workers are alive (60 s at most). */
    private static void awaitWorkers(int masterUi, int n, List<Process> daemons, Path logs) throws Exception {
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new AssertionError("a cluster daemon exited with " + p.exitValue() + "\n" + logs(logs));
                }
            }
            try {
                var req = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUi + "/json/")).build();
                last = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                JsonNode status = new ObjectMapper().readTree(last);
                if (status.path("aliveworkers").asInt() >= n) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(n + " workers did not register within 120 s; master said: " + last + "\n" + logs(logs));
    }

    private static String logs(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("master.log", "worker0.log", "worker1.log")) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                List<String> lines = Files.readAllLines(f);
                sb.append("--- ").append(name).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()))).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String> committed(Path sweepDir) throws IOException {
        Path log = sweepDir.resolve("cells/" + CellStore.LOG_FILE);
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().filter(l -> l.endsWith(" committed")).map(l -> l.split(" ")[0]).toList();
    }

    private static void awaitCommitted(Path dir, int n, CompletableFuture<?> run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (committed(dir).size() < n) {
            if (run.isDone()) {
                run.get();
                throw new AssertionError("the sweep ended before " + n + " cells were committed");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + n + " cells committed in 240 s");
            }
            Thread.sleep(100);
        }
    }

    /** VmHWM (peak resident set) of a process, from /proc. */
    private static long peakRssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The sweep's console, kept for the assertions and echoed to the test's output. */
    private static final class TeeStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) {
            copy.write(b);
            System.out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
        }
    }
}
