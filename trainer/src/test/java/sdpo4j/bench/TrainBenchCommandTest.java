package sdpo4j.bench;

import sdpo4j.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code sdpo4j train-bench}: refuses bad round counts in one line; runs end to end on a tiny random model. */
class TrainBenchCommandTest {
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int rc = Main.execute(args, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        return new String[] {String.valueOf(rc), err.toString().trim()};
    }

    @Test
    void badRoundCountsAreRefusedInOneLine() {
        String[] r = run("train-bench", "--rounds", "0");
        assertEquals("2", r[0], r[1]);
        assertEquals("error: key '--rounds': value 0 is not allowed; allowed: an integer >= 1", r[1]);
        r = run("train-bench", "--warmup", "-1");
        assertEquals("2", r[0], r[1]);
        assertEquals("error: key '--warmup': value -1 is not allowed; allowed: an integer >= 0", r[1]);
    }

    @Test
    void printsTheRatiosForEveryMethod() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(bytes, true));
        int rc;
        try {
            rc = Main.execute(new String[] {"train-bench", "--layers", "1", "--width", "32", "--warmup", "0", "--rounds", "1", "--batches", "2",
                    "--set", "max-new-tokens=3", "--set", "dataset=../datasets/arithmetic/train.jsonl", "--set", "prompts-dir=../prompts"},
                    new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString();
        assertEquals(0, rc, out);
        for (String line : new String[] {"grpo ", "sdpo ", "credit ", "SDPO / GRPO = ", "Credit / SDPO = "}) {
            assertTrue(out.contains(line), line + " in\n" + out);
        }
    }
}
