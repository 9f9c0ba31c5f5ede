package sdpo4j.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.env.TeacherContexts;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.lm.text.ByteLevelTokenizer;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.sim.ExperimentSets;
import sdpo4j.sim.FeedbackType;
import sdpo4j.train.PretrainCorpus;

/** The bridge's parts: the analytic teacher it teaches, the corpus, the symbol layout and the verdicts. */
class BridgeTest {
    @TempDir
    Path dir;

    private static final BridgeWorlds WORLDS = new BridgeWorlds(BridgeConfig.DEFAULT.world());

    /** An independent host computation of the teacher of SPEC 2.3 at uniform policy logits. */
    private static double[] expected(SequenceWorld w, double beta, SequenceQuality.Judgement j, int[] judged, int t,
            boolean critique) {
        int v = w.config().vocab();
        double[] logits = new double[v];
        double meanQ = 0;
        for (int k = 0; k < v; k++) {
            meanQ += w.quality(t, k) / v;
        }
        for (int k = 0; k < v; k++) {
            logits[k] = beta * j.stated() * w.quality(t, k);
        }
        if (critique) {
            logits[judged[t]] += beta * (j.hints()[t] - meanQ);
        }
        double z = 0;
        double[] p = new double[v];
        for (int k = 0; k < v; k++) {
            p[k] = Math.exp(logits[k]);
            z += p[k];
        }
        for (int k = 0; k < v; k++) {
            p[k] /= z;
        }
        return p;
    }

    @Test
    void theAnalyticTeacherIsTheSimulatorsFormulaOnTheStatedFeedback() {
        SequenceWorld w = WORLDS.world(3);
        SplittableRandom rng = new SplittableRandom(7);
        try (NDManager m = NDManager.newBaseManager()) {
            for (FeedbackType type : TeacherCorpus.TYPES) {
                List<TeacherCorpus.Judged> judged = TeacherCorpus.judge(WORLDS, w, type, 0.1, 5, rng);
                float[] p = AnalyticTeacher.probs(m, 1.5, w, type, new float[6 * 8],
                        judged.stream().map(TeacherCorpus.Judged::judgement).toList(),
                        judged.stream().map(TeacherCorpus.Judged::sequence).toList());
                for (int b = 0; b < judged.size(); b++) {
                    for (int t = 0; t < 6; t++) {
                        double[] want = expected(w, 1.5, judged.get(b).judgement(), judged.get(b).sequence(), t,
                                type == FeedbackType.CRITIQUE);
                        for (int v = 0; v < 8; v++) {
                            assertEquals(want[v], p[(b * 6 + t) * 8 + v], 1e-5, type + " b" + b + " t" + t + " v" + v);
                        }
                    }
                }
            }
        }
    }

    @Test
    void theJudgementStatesWhatTheTextSays() {
        SequenceWorld w = WORLDS.world(0);
        int[] s = {0, 1, 2, 3, 4, 5};
        SequenceQuality.Judgement c = WORLDS.env(FeedbackType.CONTINUOUS, 0).judge(w, s, new SplittableRandom(1));
        assertEquals(String.format(java.util.Locale.ROOT, "Score: %.2f.", c.stated()), c.text());
        assertEquals(w.reward(s), c.stated(), 0.005);
        SequenceQuality.Judgement b = WORLDS.env(FeedbackType.BINARY, 0).judge(w, s, new SplittableRandom(1));
        assertEquals(w.reward(s) > 0.5 ? 1 : 0, b.stated());
        SequenceQuality.Judgement o = WORLDS.env(FeedbackType.ORDINAL, 0).judge(w, s, new SplittableRandom(1));
        assertEquals(o.text(), (int) Math.round(4 * o.stated() + 1) + " out of 5 stars.");
        SequenceQuality.Judgement k = WORLDS.env(FeedbackType.CRITIQUE, 0).judge(w, s, new SplittableRandom(1));
        for (int t = 0; t < 6; t++) {
            assertEquals(w.quality(t, s[t]), k.hints()[t], 0.05 + 1e-9, "hint at " + t);
            assertTrue(k.text().contains(String.format(java.util.Locale.ROOT, "(%+.1f)", k.hints()[t])), k.text());
        }
    }

    @Test
    void theCorpusTeachesBothThePlainPolicyAndTheFeedbackReadingTeacher() {
        BridgeConfig cfg = BridgeConfig.QUICK;
        TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "sequence-quality"));
        List<PretrainCorpus.Example> corpus;
        try (NDManager m = NDManager.newBaseManager()) {
            corpus = TeacherCorpus.build(m, cfg, WORLDS, contexts, 0);
        }
        assertEquals(cfg.seeds() * cfg.pretrain().examplesPerWorld(), corpus.size());
        SequenceQuality parser = WORLDS.env(FeedbackType.CONTINUOUS, 0);
        long plain = corpus.stream().filter(e -> e.user().equals(WORLDS.prompt(0)) || e.user().equals(WORLDS.prompt(1))).count();
        assertEquals(Math.round(cfg.pretrain().examplesPerWorld() * cfg.pretrain().plainShare()) * cfg.seeds(), plain);
        for (PretrainCorpus.Example e : corpus) {
            assertTrue(parser.parse(e.answer()) != null, e.answer());
            assertTrue(e.user().startsWith("World "), e.user());
        }
        assertTrue(corpus.stream().anyMatch(e -> e.user().contains("Feedback on an earlier answer: Pass.")));
        assertTrue(corpus.stream().anyMatch(e -> e.user().contains("out of 5 stars.")));
        assertTrue(corpus.stream().anyMatch(e -> e.user().contains("Position 6 (")));
        // After "Pass." the answers lean to the world's good tokens: more than uniform's 1/8 on the best one.
        SequenceWorld w = WORLDS.world(0);
        int best = 0;
        for (int v = 1; v < 8; v++) {
            best = w.quality(0, v) > w.quality(0, best) ? v : best;
        }
        int finalBest = best;
        List<PretrainCorpus.Example> passed = corpus.stream()
                .filter(e -> e.user().startsWith(WORLDS.prompt(0)) && e.user().endsWith("Pass.")).toList();
        double share = passed.stream().filter(e -> parser.parse(e.answer())[0] == finalBest).count() / (double) passed.size();
        assertTrue(share > 0.25, "share of the best first symbol after Pass: " + share + " of " + passed.size());
    }

    @Test
    void symbolPositionsAreFoundOnlyInWellFormedResponses() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(dir.resolve("tm"), TinyModels.config("llama", 1, 16, 2, 2, 32, 64), 0, m);
            try (Tokenizer tok = Tokenizer.load(dir.resolve("tm"), sdpo4j.lm.weights.HfCheckpoint.load(dir.resolve("tm"), m).config())) {
                LetterLayout layout = new LetterLayout(tok, 8, 6);
                long[] ids = layout.encode(new int[] {7, 0, 1, 2, 3, 4});
                assertArrayEquals(tok.encode("H A B C D E"), ids);
                assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10}, layout.positions(ids));
                long[] withEos = java.util.Arrays.copyOf(ids, ids.length + 1);
                withEos[ids.length] = ByteLevelTokenizer.EOS_ID;
                assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10}, layout.positions(withEos));
                assertNull(layout.positions(tok.encode("H A B C D")));
                assertNull(layout.positions(tok.encode("H  A B C D E")));
                assertNull(layout.positions(tok.encode("H A B C D Z")));
                assertEquals(7, layout.symbol(0, ids[0]));
                assertEquals(-1, layout.symbol(0, ids[1]));
                assertEquals(11, layout.responseLength());
            }
        }
    }

    @Test
    void verdictsFollowTheSignAndTwoStandardErrors() {
        assertEquals(Findings.Verdict.HOLDS, Findings.Effect.of(new double[] {0.1, 0.12, 0.11}).verdict());
        assertEquals(Findings.Verdict.REVERSED, Findings.Effect.of(new double[] {-0.1, -0.12, -0.11}).verdict());
        assertEquals(Findings.Verdict.WEAKER, Findings.Effect.of(new double[] {0.3, -0.2, 0.1}).verdict());
        // One seed: no standard error, the sign decides.
        assertEquals(Findings.Verdict.HOLDS, Findings.Effect.of(new double[] {0.01}).verdict());
        assertEquals(Findings.Verdict.REVERSED, Findings.Effect.of(new double[] {-0.01}).verdict());
        Findings.Effect e = Findings.Effect.of(new double[] {1, 2, 3});
        assertEquals(2, e.mean(), 1e-12);
        assertEquals(1 / Math.sqrt(3), e.se(), 1e-12);
    }

    @Test
    void theShippedConfigIsTheDefault() {
        assertEquals(BridgeConfig.DEFAULT, sdpo4j.config.ConfigLoader.load(BridgeConfig.class, BridgeConfig.QUICK,
                Path.of("../configs/bridge.yaml"), List.of()));
    }

    @Test
    void theGridSharesTheNoiseSweepsCleanRunsWithTheTable() {
        List<sdpo4j.sim.RunSpec> runs = BridgeGrid.runs(BridgeConfig.DEFAULT);
        // 3 methods x 4 feedback + 3 methods x 3 sigmas + 3 methods x 2 feedback, 3 seeds each.
        assertEquals((12 + 9 + 6) * 3, runs.size());
        assertEquals((12 + 6 + 6) * 3, ExperimentSets.distinct(runs).size());
    }
}
