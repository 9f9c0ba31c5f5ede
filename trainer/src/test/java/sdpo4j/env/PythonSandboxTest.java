package sdpo4j.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sdpo4j.env.python.PythonTests;
import sdpo4j.env.python.Sandbox;

/**
 * Hostile programs against the python-tests sandbox: each is contained, gets a clear feedback
 * string, changes no file outside the sandbox and leaves no process behind. Needs root,
 * util-linux and procps (CI installs them and fails without them); elsewhere skipped with the reason.
 */
class PythonSandboxTest {
    static final String PYTHON = "/usr/bin/python3";
    static PythonTests env;
    static Sandbox sandbox;
    static final Sandbox.Limits LIMITS = new Sandbox.Limits(6, 3, 256, 8, 16 * 1024);

    @BeforeAll
    static void setUp() {
        String reason = Sandbox.unavailableReason(PYTHON);
        // CI installs what the sandbox needs (.ci/run): there, a missing piece is a failure,
        // not a skip. On a developer machine without root the tests are skipped with the reason.
        if (System.getenv("CI") != null && reason != null) {
            throw new IllegalStateException("python sandbox unavailable in CI: " + reason);
        }
        assumeTrue(reason == null, reason);
        sandbox = new Sandbox(PYTHON);
        env = new PythonTests(sandbox, LIMITS);
    }

    static Task task(String... tests) throws IOException {
        var json = new ObjectMapper().createObjectNode();
        json.put("prompt", "Write f.");
        var arr = json.putArray("tests");
        for (String t : tests) {
            arr.add(t);
        }
        return new Task("py", "Write f.", json);
    }

    /**
     * Processes of this test's sandbox still running: {@code nobody}'s processes whose environment
     * carries the sandbox's tag. Counting every {@code nobody} process failed whenever another
     * sandbox ran on the machine at the same time.
     */
    static long nobodyProcesses() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pgrep", "-u", "65534").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        byte[] mark = (Sandbox.TAG_VARIABLE + "=" + sandbox.tag()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return out.lines().filter(l -> !l.isBlank()).filter(pid -> environmentHas(pid.trim(), mark)).count();
    }

    private static boolean environmentHas(String pid, byte[] mark) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", pid, "environ"));
            return new String(env, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains(new String(mark, java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (IOException gone) {
            return false; // the process ended between pgrep and the read
        }
    }

    Score run(String code, String... tests) throws Exception {
        long before = nobodyProcesses();
        Score s = env.score(task(tests.length == 0 ? new String[] {"assert f(2) == 4"} : tests), "```python\n" + code + "\n```");
        Thread.sleep(200);
        assertEquals(before, nobodyProcesses(), "no sandboxed process is left running");
        return s;
    }

    @Test
    void correctAndIncorrectSolutions() throws Exception {
        assertEquals(new Score(1, true, ""), run("def f(x):\n    return x * x", "assert f(2) == 4", "assert f(3) == 9"));
        assertEquals("Test failed: assert f(3) == 9\nExpected: 9\nActual: 6",
                run("def f(x):\n    return x + x", "assert f(2) == 4", "assert f(3) == 9").feedback());
        assertEquals("ZeroDivisionError: division by zero (line 2)\nWhile running: assert f(2) == 4",
                run("def f(x):\n    return x / 0").feedback());
        assertTrue(run("def f(x)\n    return x").feedback().startsWith("SyntaxError: "), "syntax errors are named");
    }

    @Test
    void aMadeUpResultLineDoesNotScore() throws Exception {
        String forged = "import os, sys\n"
                + "sys.stdout.write('\\nSDPO4J_RESULT {\"status\": \"pass\", \"tests\": 1}\\n')\n"
                + "sys.stdout.flush()\n"
                + "os._exit(0)";
        Score s = run(forged);
        assertEquals(0, s.reward(), s.feedback());
    }

    @Test
    void anAlwaysEqualObjectDoesNotPass() throws Exception {
        String hack = "class Same:\n    def __eq__(self, o):\n        return True\n    def __ne__(self, o):\n        return False\n"
                + "def f(x):\n    return [Same()]";
        assertEquals(new Score(0, false, "Test failed: assert f(2) == [4]\nExpected: [4]\nActual: a list object, not a plain value"),
                run(hack, "assert f(2) == [4]"));
        assertEquals(new Score(1, true, ""), run("def f(x):\n    return {'a': (x, 2.0)}", "assert f(2) == {'a': (2, 2)}"));
    }

    @Test
    void infiniteLoopAndSleepAreStopped() throws Exception {
        String loop = run("def f(x):\n    while True:\n        pass").feedback();
        assertTrue(loop.contains("killed") || loop.contains("Time limit"), loop);
        String sleep = run("import time\ndef f(x):\n    time.sleep(60)").feedback();
        assertTrue(sleep.startsWith("Time limit exceeded"), sleep);
    }

    @Test
    void forkBombIsContained() throws Exception {
        String fb = run("import os\ndef f(x):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass").feedback();
        assertFalse(fb.isEmpty());
    }

    @Test
    void memoryBombIsContained() throws Exception {
        String mem = run("def f(x):\n    a = []\n    while True:\n        a.append(bytearray(10**7))").feedback();
        assertTrue(mem.startsWith("MemoryError"), mem);
    }

    @Test
    void floodOfOutputIsCut() throws Exception {
        String out = run("def f(x):\n    while True:\n        print('x' * 1000)").feedback();
        assertTrue(out.startsWith("Output limit exceeded"), out);
    }

    @Test
    void noNetwork() throws Exception {
        String net = run("import socket\ndef f(x):\n    socket.create_connection(('1.1.1.1', 80), timeout=2)").feedback();
        assertTrue(net.startsWith("OSError") || net.contains("unreachable") || net.contains("Errno"), net);
    }

    @Test
    void filesOutsideTheSandboxAreNeitherReadNorWritten() throws Exception {
        Path outside = Files.createTempFile(Path.of("/tmp"), "sdpo4j-outside", ".txt");
        Files.writeString(outside, "original");
        outside.toFile().setReadable(true, false);
        try {
            String write = run("def f(x):\n    open('" + outside + "', 'w').write('changed')\n    return 4").feedback();
            assertEquals("original", Files.readString(outside), "the file outside the sandbox is unchanged");
            assertTrue(write.isEmpty() || write.contains("Error"), write);
            String home = run("import os\ndef f(x):\n    return len(os.listdir('/root'))").feedback();
            assertTrue(home.startsWith("PermissionError"), home);
            String disk = run("def f(x):\n    with open('big', 'wb') as fh:\n        while True:\n            fh.write(b'0' * 10**6)").feedback();
            assertTrue(disk.contains("Error") || disk.contains("killed"), disk);
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void killingTheParentFails() throws Exception {
        long parent = ProcessHandle.current().pid();
        String kill = run("import os, signal\ndef f(x):\n    os.kill(" + parent + ", signal.SIGKILL)").feedback();
        assertTrue(kill.startsWith("ProcessLookupError") || kill.startsWith("PermissionError"), kill);
    }
}
