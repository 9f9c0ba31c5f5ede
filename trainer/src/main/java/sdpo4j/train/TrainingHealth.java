package sdpo4j.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import sdpo4j.optim.ObjectiveConfig;
import sdpo4j.optim.ObjectiveKind;

/**
 * Training-health diagnostics: watches each step's metrics line for the failure modes self-distillation
 * runs are known for, and says so once per run, in one line, when one appears. Each check compares a
 * window of {@link #WINDOW} steps against the run's first window, so a single noisy step never fires it.
 *
 * <ul>
 *   <li><b>entropy collapse</b> ({@code entropy}): the policy's entropy fell below {@link #ENTROPY_FRACTION} of
 *       its start; sampling has become nearly deterministic and the group stops exploring.</li>
 *   <li><b>teacher caught up</b> ({@code kl}, SDPO and Credit): the teacher-student divergence fell below
 *       {@link #KL_FLOOR} nats per token while responses still had teacher contexts: nothing is left to distil.</li>
 *   <li><b>vanishing gradient</b> ({@code grad_norm}): below {@link #GRAD_FLOOR} on every update of a window
 *       (steps whose updates were all skipped are the teacher watch's business, not this one's).</li>
 *   <li><b>teacher contexts thinning</b> ({@code teacher_frac}, SDPO and Credit): the share of responses with a
 *       teacher context fell below {@link #TEACHER_FRACTION} of its start.</li>
 *   <li><b>copying the demonstration</b> ({@code demo_overlap}): responses repeat, on average, more than
 *       {@link #OVERLAP_LIMIT} of their n-grams from the sibling solution shown to their teacher: the student
 *       is memorising demonstrations rather than learning to solve.</li>
 * </ul>
 */
public final class TrainingHealth {
    /** Steps per window. */
    static final int WINDOW = 5;
    /** Entropy below this fraction of the first window's is a collapse. */
    static final double ENTROPY_FRACTION = 0.1;
    /** Teacher-student KL (nats per token) below which the teacher has nothing left to teach. */
    static final double KL_FLOOR = 1e-4;
    /** Gradient norm below which an update changes nothing measurable. */
    static final double GRAD_FLOOR = 1e-5;
    /** A teacher share below this fraction of the first window's is a fall. */
    static final double TEACHER_FRACTION = 0.5;
    /** Mean demonstration overlap above which the student is copying. */
    static final double OVERLAP_LIMIT = 0.8;

    private final boolean distils;
    private final List<Check> checks = new ArrayList<>();

    public TrainingHealth(ObjectiveConfig objective) {
        this.distils = objective.name() == ObjectiveKind.SDPO || objective.name() == ObjectiveKind.CREDIT;
        checks.add(new Check("entropy", (first, last) -> first > 0 && last < ENTROPY_FRACTION * first,
                (first, last, steps) -> String.format(Locale.ROOT, "entropy collapse: policy entropy fell from %.3f nats "
                        + "(steps 1-%d) to %.3f (steps %s), below %.0f%% of its start; sampling is nearly deterministic "
                        + "and groups stop exploring (lower the learning rate, or raise the temperature)",
                        first, WINDOW, last, steps, 100 * ENTROPY_FRACTION)));
        if (distils) {
            checks.add(new Check("kl", (first, last) -> last < KL_FLOOR,
                    (first, last, steps) -> String.format(Locale.ROOT, "teacher caught up: teacher-student KL is %.1e "
                            + "nats per token on steps %s (%.3f on steps 1-%d) while responses still have teacher "
                            + "contexts; there is little left to distil (a slower EMA rate keeps the teacher ahead)",
                            last, steps, first, WINDOW)));
            checks.add(new Check("teacher_frac", (first, last) -> first > 0 && last < TEACHER_FRACTION * first,
                    (first, last, steps) -> String.format(Locale.ROOT, "teacher contexts thinning: the share of "
                            + "responses with a teacher context fell from %.2f (steps 1-%d) to %.2f (steps %s); "
                            + "fewer feedback strings or successful siblings, so less is distilled", first, WINDOW, last, steps)));
        }
        checks.add(new Check("demo_overlap", (first, last) -> last > OVERLAP_LIMIT,
                (first, last, steps) -> String.format(Locale.ROOT, "copying the demonstration: on steps %s responses "
                        + "repeat %.0f%% of their n-grams from the sibling solution shown to their teacher; the student "
                        + "may be memorising demonstrations (watch held-out accuracy)", steps, 100 * last)));
    }

    /** The warnings this step's metrics line raises (each at most once per run). */
    public List<String> observe(long step, Map<String, ?> line) {
        List<String> out = new ArrayList<>();
        boolean teacherOn = !distils || number(line, "teacher_frac") > 0;
        for (Check c : checks) {
            // A step with no teacher context has no KL to read: the teacher watch covers it.
            if (c.metric.equals("kl") && !teacherOn) {
                continue;
            }
            c.observe(step, number(line, c.metric)).ifPresent(out::add);
        }
        vanishingGradient(step, line).ifPresent(out::add);
        return out;
    }

    private final Deque<Double> gradWindow = new ArrayDeque<>();
    private boolean gradFired;

    private Optional<String> vanishingGradient(long step, Map<String, ?> line) {
        double norm = number(line, "grad_norm");
        if (gradFired || Double.isNaN(norm) || number(line, "skipped_updates") > 0) {
            gradWindow.clear();
            return Optional.empty();
        }
        gradWindow.addLast(norm);
        if (gradWindow.size() > WINDOW) {
            gradWindow.removeFirst();
        }
        if (gradWindow.size() < WINDOW || gradWindow.stream().anyMatch(g -> g >= GRAD_FLOOR)) {
            return Optional.empty();
        }
        gradFired = true;
        double max = gradWindow.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return Optional.of(String.format(Locale.ROOT, "vanishing gradient: the gradient norm stayed below %.0e "
                + "on steps %d-%d (largest %.2g); the weights are barely moving, nothing is being learnt",
                GRAD_FLOOR, step - WINDOW + 1, step, max));
    }

    private static double number(Map<String, ?> line, String key) {
        return line.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private interface Condition {
        boolean holds(double first, double last);
    }

    private interface Message {
        String of(double first, double last, String steps);
    }

    /** One metric: the mean of its first window, a sliding window of its latest values, and whether it fired. */
    private static final class Check {
        final String metric;
        final Condition condition;
        final Message message;
        final Deque<Double> window = new ArrayDeque<>();
        final Deque<Long> windowSteps = new ArrayDeque<>();
        double first = Double.NaN;
        boolean fired;

        Check(String metric, Condition condition, Message message) {
            this.metric = metric;
            this.condition = condition;
            this.message = message;
        }

        Optional<String> observe(long step, double value) {
            if (fired || Double.isNaN(value)) {
                return Optional.empty();
            }
            window.addLast(value);
            windowSteps.addLast(step);
            if (window.size() > WINDOW) {
                window.removeFirst();
                windowSteps.removeFirst();
            }
            if (window.size() < WINDOW) {
                return Optional.empty();
            }
            double mean = window.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            if (Double.isNaN(first)) {
                first = mean;
            }
            if (!condition.holds(first, mean)) {
                return Optional.empty();
            }
            fired = true;
            return Optional.of(message.of(first, mean, windowSteps.getFirst() + "-" + windowSteps.getLast()));
        }
    }
}
