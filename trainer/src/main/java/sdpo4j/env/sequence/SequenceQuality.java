package sdpo4j.env.sequence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * The simulator's world as text: a response is T symbols from the letters A.. (V of them),
 * separated by spaces; its reward is the world's reward; the feedback renders one of the
 * simulator's oracles (SPEC 2.3) in words. The judge's noise is drawn from a stream seeded by
 * the task and the response, so the same response always gets the same judgement.
 */
public final class SequenceQuality implements Environment {
    /** Which oracle the feedback text renders. */
    public enum Oracle { BINARY, ORDINAL, CONTINUOUS, CRITIQUE }

    private final WorldConfig world;
    private final Oracle oracle;
    private final double sigma;
    private final double successThreshold;
    private final FeedbackDetail detail;

    /** With terse feedback: the oracle's text alone, as in the simulator. */
    public SequenceQuality(WorldConfig world, Oracle oracle, double sigma, double successThreshold) {
        this(world, oracle, sigma, successThreshold, FeedbackDetail.TERSE);
    }

    /**
     * Informative feedback adds the positions whose (noisy) quality is poor to the oracle's text
     * unless it lists every position already (critique).
     */
    public SequenceQuality(WorldConfig world, Oracle oracle, double sigma, double successThreshold, FeedbackDetail detail) {
        this.detail = detail;
        this.world = world;
        this.oracle = oracle;
        this.sigma = sigma;
        this.successThreshold = successThreshold;
    }

    @Override
    public String name() {
        return "sequence-quality";
    }

    @Override
    public void validate(Task task) {
        JsonNode seed = task.fields().get("world_seed");
        if (seed == null || !seed.isIntegralNumber()) {
            throw new DatasetException.Field("world_seed", "must be an integer (the simulator world's seed), got " + seed);
        }
    }

    public SequenceWorld world(Task task) {
        return new SequenceWorld(world, task.fields().get("world_seed").asLong());
    }

    /** The symbols of a response, or null when it is not T letters of the alphabet. */
    public int[] parse(String response) {
        List<Integer> symbols = new ArrayList<>();
        for (String token : (response == null ? "" : response.trim()).split("\\s+")) {
            if (token.length() == 1 && token.charAt(0) >= 'A' && token.charAt(0) < 'A' + world.vocab()) {
                symbols.add(token.charAt(0) - 'A');
            } else if (!token.isEmpty()) {
                return null;
            }
        }
        if (symbols.size() != world.length()) {
            return null;
        }
        return symbols.stream().mapToInt(Integer::intValue).toArray();
    }

    public String alphabet() {
        return "A-" + (char) ('A' + world.vocab() - 1);
    }

    /**
     * What the judge says about a well-formed response, as numbers and as the text a teacher
     * reads. The numbers are the ones the text states (rounded as printed), so that an
     * analytic teacher fed with them sees exactly what a model reading the text sees.
     *
     * @param stated the feedback value f in [0, 1] the text conveys: 1/0 for pass/fail,
     *     (stars - 1) / 4, or the printed score
     * @param hints the printed per-position quality hints (critique), else null
     * @param text the feedback text
     */
    public record Judgement(double stated, double[] hints, String text) {}

    @Override
    public Score score(Task task, String response) {
        int[] s = parse(response);
        if (s == null) {
            return new Score(0, false, "Write exactly " + world.length() + " symbols from " + alphabet()
                    + ", separated by spaces, and nothing else.");
        }
        SequenceWorld w = world(task);
        double reward = w.reward(s);
        SplittableRandom rng = new SplittableRandom(task.id().hashCode() * 31L + String.valueOf(response).hashCode());
        String text = judge(w, s, rng).text();
        if (detail == FeedbackDetail.INFORMATIVE && oracle != Oracle.CRITIQUE) {
            text += poorPositions(w, s, rng);
        }
        return new Score(reward, reward >= successThreshold, text);
    }

    /** " Poor positions: 2 (C), 5 (A)." (quality below -0.5 after the judge's noise), or " No position is poor." */
    private String poorPositions(SequenceWorld w, int[] s, SplittableRandom rng) {
        List<String> poor = new ArrayList<>();
        for (int t = 0; t < s.length; t++) {
            if (w.quality(t, s[t]) + sigma * rng.nextGaussian() < -0.5) {
                poor.add((t + 1) + " (" + (char) ('A' + s[t]) + ")");
            }
        }
        return poor.isEmpty() ? " No position is poor." : " Poor positions: " + String.join(", ", poor) + ".";
    }

    /** The judgement of symbols {@code s} in world {@code w}, its noise drawn from {@code rng}. */
    public Judgement judge(SequenceWorld w, int[] s, SplittableRandom rng) {
        double observed = w.reward(s) + sigma * rng.nextGaussian();
        return switch (oracle) {
            case BINARY -> new Judgement(observed > 0.5 ? 1 : 0, null, observed > 0.5 ? "Pass." : "Fail.");
            case ORDINAL -> {
                int stars = (int) Math.max(1, Math.min(5, Math.round(4 * observed + 1)));
                yield new Judgement((stars - 1) / 4.0, null, stars + " out of 5 stars.");
            }
            case CONTINUOUS -> new Judgement(printed(observed, 2), null, String.format(Locale.ROOT, "Score: %.2f.", observed));
            case CRITIQUE -> critique(w, s, observed, rng);
        };
    }

    /** The score plus a noisy quality hint per position, in words. */
    private Judgement critique(SequenceWorld w, int[] s, double observed, SplittableRandom rng) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Score: %.2f.", observed));
        double[] hints = new double[s.length];
        for (int t = 0; t < s.length; t++) {
            double hint = w.quality(t, s[t]) + sigma * rng.nextGaussian();
            hints[t] = printed(hint, 1);
            String verdict = hint > 0.5 ? "good" : hint < -0.5 ? "poor" : "middling";
            sb.append(String.format(Locale.ROOT, " Position %d (%c): %s (%+.1f).", t + 1, (char) ('A' + s[t]), verdict, hint));
        }
        return new Judgement(printed(observed, 2), hints, sb.toString());
    }

    /** A value as the text prints it with {@code decimals} decimals (the same rounding as %.Nf). */
    private static double printed(double x, int decimals) {
        return Double.parseDouble(String.format(Locale.ROOT, "%." + decimals + "f", x));
    }

    /** The symbols as a response writes them: letters separated by single spaces. */
    public static String render(int[] s) {
        StringBuilder sb = new StringBuilder();
        for (int t = 0; t < s.length; t++) {
            sb.append(t == 0 ? "" : " ").append((char) ('A' + s[t]));
        }
        return sb.toString();
    }

    /** Seeded tasks, one world each: {@code id}, {@code prompt}, {@code world_seed}. */
    public static List<Map<String, Object>> generate(WorldConfig world, int count, long firstSeed, String idPrefix) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("id", idPrefix + i);
            task.put("prompt", "Write " + world.length() + " symbols from A-" + (char) ('A' + world.vocab() - 1)
                    + ", separated by spaces.");
            task.put("world_seed", firstSeed + i);
            out.add(task);
        }
        return out;
    }
}
