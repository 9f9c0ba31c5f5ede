package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;

/**
 * How the student is compared to the teacher at each response position (SPEC 1.1).
 *
 * @param topK size of the support; {@code topK >= V} means the whole vocabulary
 * @param topkSource whose top-K ids form the support
 * @param tailBucket add a (K+1)-th entry holding the remaining probability mass; off
 *     renormalises both distributions over the K ids
 * @param temperature rollout temperature; both distributions divide their logits by it
 * @param alpha 1 = reverse KL(student||teacher), 0 = forward KL(teacher||student), between:
 *     the generalised Jensen-Shannon mixture
 * @param isClip upper clamp of the detached importance ratio on off-policy mini-batches
 */
public record DivergenceConfig(
        int topK, TopKSource topkSource, boolean tailBucket, double temperature, double alpha, double isClip) {

    /** SPEC defaults: reverse KL over the student's top-20 with a tail bucket. */
    public static final DivergenceConfig DEFAULT = new DivergenceConfig(20, TopKSource.STUDENT, true, 1.0, 1.0, 2.0);

    public DivergenceConfig {
        Check.atLeast("top-k", topK, 1);
        Check.positive("temperature", temperature);
        Check.inRange("alpha", alpha, 0, 1);
        Check.positive("is-clip", isClip);
        if (topkSource == null) {
            throw new ConfigException("topk-source", null, "one of [student, teacher]");
        }
    }

    public DivergenceConfig withAlpha(double newAlpha) {
        return new DivergenceConfig(topK, topkSource, tailBucket, temperature, newAlpha, isClip);
    }

    public DivergenceConfig withTopK(int k) {
        return new DivergenceConfig(k, topkSource, tailBucket, temperature, alpha, isClip);
    }

    public DivergenceConfig withTailBucket(boolean tail) {
        return new DivergenceConfig(topK, topkSource, tail, temperature, alpha, isClip);
    }

    public DivergenceConfig withTopKSource(TopKSource source) {
        return new DivergenceConfig(topK, source, tailBucket, temperature, alpha, isClip);
    }

    public DivergenceConfig withTemperature(double t) {
        return new DivergenceConfig(topK, topkSource, tailBucket, t, alpha, isClip);
    }
}
