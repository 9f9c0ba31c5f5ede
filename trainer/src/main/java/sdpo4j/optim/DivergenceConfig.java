package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;

/**
 * How the student is compared to the teacher at each response position (SPEC 1.1). Each key's
 * default and meaning: {@link Builder}.
 */
public record DivergenceConfig(
        int topK, TopKSource topkSource, boolean tailBucket, double temperature, double alpha, double isClip,
        DistillationMode mode) {

    /** SPEC defaults: reverse KL over the student's top-20 with a tail bucket. */
    public static final DivergenceConfig DEFAULT = builder().build();

    public DivergenceConfig {
        Check.atLeast("top-k", topK, 1);
        Check.positive("temperature", temperature);
        Check.inRange("alpha", alpha, 0, 1);
        Check.positive("is-clip", isClip);
        if (topkSource == null) {
            throw new ConfigException("topk-source", null, "one of [student, teacher]");
        }
        if (mode == null) {
            throw new ConfigException("mode", null, "one of [top-k, full, sampled-token]");
        }
        if (mode == DistillationMode.SAMPLED_TOKEN && alpha != 1.0) {
            throw new ConfigException("alpha", alpha, "1 with mode sampled-token: the sampled token estimates the reverse "
                    + "KL only");
        }
    }

    /** This config with another distillation mode. */
    public DivergenceConfig withMode(DistillationMode m) {
        return toBuilder().mode(m).build();
    }

    public DivergenceConfig withAlpha(double newAlpha) {
        return toBuilder().alpha(newAlpha).build();
    }

    public DivergenceConfig withTopK(int k) {
        return toBuilder().topK(k).build();
    }

    public DivergenceConfig withTailBucket(boolean tail) {
        return toBuilder().tailBucket(tail).build();
    }

    public DivergenceConfig withTopKSource(TopKSource source) {
        return toBuilder().topkSource(source).build();
    }

    public DivergenceConfig withTemperature(double t) {
        return toBuilder().temperature(t).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().topK(topK).topkSource(topkSource).tailBucket(tailBucket).temperature(temperature).alpha(alpha)
                .isClip(isClip).mode(mode);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("`top-k` (the divergence over the top-K support, with the tail bucket), `full` (over the whole vocabulary) "
                + "or `sampled-token` (reverse KL estimated on the sampled token: `sg(log s(y) - log t(y)) * log s(y)`, "
                + "the cheapest; needs alpha 1)")
        private DistillationMode mode = DistillationMode.TOP_K;
        @Doc("size of the support; a K at or above the vocabulary size means the whole vocabulary")
        private int topK = 20;
        @Doc("whose top-K ids form the support: `student` or `teacher`")
        private TopKSource topkSource = TopKSource.STUDENT;
        @Doc("add a (K+1)-th entry holding the remaining probability mass; off renormalises both distributions over "
                + "the K ids")
        private boolean tailBucket = true;
        @Doc("rollout temperature; both distributions divide their logits by it")
        private double temperature = 1.0;
        @Doc("1 = reverse KL(student||teacher), 0 = forward KL(teacher||student), between: the generalised "
                + "Jensen-Shannon mixture")
        private double alpha = 1.0;
        @Doc("upper clamp of the detached importance ratio on off-policy mini-batches")
        private double isClip = 2.0;

        private Builder() {}

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topkSource(TopKSource v) {
            topkSource = v;
            return this;
        }

        public Builder tailBucket(boolean v) {
            tailBucket = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        public Builder isClip(double v) {
            isClip = v;
            return this;
        }

        public Builder mode(DistillationMode v) {
            mode = v;
            return this;
        }

        public DivergenceConfig build() {
            return new DivergenceConfig(topK, topkSource, tailBucket, temperature, alpha, isClip, mode);
        }
    }
}
