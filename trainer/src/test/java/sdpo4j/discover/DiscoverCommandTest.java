package sdpo4j.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.cli.Main;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.stats.Bootstrap;
import sdpo4j.stats.Interval;

class DiscoverCommandTest {
    @TempDir
    Path dir;

    @Test
    void discoverWritesEveryAttemptAReportAndItsCurves() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("qwen2", 1, 32, 2, 2, 64, 256), 0, m);
        }
        Path questions = dir.resolve("q.jsonl");
        Files.write(questions, Files.readAllLines(Path.of("../datasets/arithmetic-1digit/test.jsonl")).subList(0, 6));
        StringWriter err = new StringWriter();
        int rc = Main.execute(new String[] {"discover", "--model", model.toString(), "--env", "arithmetic", "--questions",
                questions.toString(), "--hard", "2", "--budget", "4", "--runs-dir", dir.resolve("runs").toString(), "--name", "d",
                "--set", "hard-samples=2", "--set", "round-size=2", "--set", "seeds=[0, 1]", "--set", "max-new-tokens=3",
                "--set", "bootstrap-replicates=200", "--set", "prompts-dir=../prompts"}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(0, rc, err.toString());
        Path run = dir.resolve("runs/d");
        assertEquals(6, Files.readAllLines(run.resolve(Discoveries.PASS_RATES)).size());
        List<String> attempts = Files.readAllLines(run.resolve(Discoveries.ATTEMPTS));
        // a random model: no search succeeds, so each spends its budget exactly: 2 seeds x 2 questions x 3 methods x 4
        assertEquals(2 * 2 * 3 * 4, attempts.size());
        Map<?, ?> first = new ObjectMapper().readValue(attempts.get(0), Map.class);
        for (String k : List.of("question", "method", "seed", "round", "attempt", "response", "feedback", "reward", "tokens",
                "seconds")) {
            assertTrue(first.containsKey(k), k + " in " + first);
        }
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("## Discovery probability against attempts"), report);
        assertTrue(report.contains("SDPO vs best-of-k"), report);
        assertTrue(Files.size(run.resolve("discovery.png")) > 1000);
    }

    @Test
    void theCostToHalfDiscoveryIsTheMedianWithMissesLast() {
        double inf = Double.POSITIVE_INFINITY;
        double[][] costs = {{1, 5, inf}, {2, inf, inf}};
        Bootstrap.Draw all = new Bootstrap.Draw(new int[] {0, 1}, new int[][] {{0, 1, 2}, {0, 1, 2}});
        // sorted 1 2 5 inf inf inf: half of six are found by cost 5
        assertEquals(5, DiscoveryReport.toReach(costs, all));
        assertEquals(inf, DiscoveryReport.toReach(new double[][] {{1, inf, inf}}, new Bootstrap.Draw(new int[] {0},
                new int[][] {{0, 1, 2}})));
        assertEquals(3, DiscoveryReport.ratio(6, 2));
        assertEquals(0, DiscoveryReport.ratio(6, inf));
        assertEquals(inf, DiscoveryReport.ratio(inf, 2));
        assertTrue(Double.isNaN(DiscoveryReport.ratio(inf, inf)));
        assertEquals("holds", DiscoveryReport.claim(new Interval(4, 3, 5)));
        assertEquals("does not hold", DiscoveryReport.claim(new Interval(1, 0.5, 2.9)));
        assertEquals("is not settled", DiscoveryReport.claim(new Interval(2, 1, 4)));
    }
}
