package sdpo4j.train;

import sdpo4j.config.Doc;

/**
 * What a run trades for memory (the {@code memory:} section); docs/training.md has the formula.
 * Each key's default and meaning: {@link Builder}.
 */
public record MemoryConfig(boolean checkpointActivations) {
    public static final MemoryConfig DEFAULT = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().checkpointActivations(checkpointActivations);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("activation (gradient) checkpointing of the student's pass: keep each block's input only and recompute "
                + "the block in the backward; about one more forward of time for activation memory of one block")
        private boolean checkpointActivations = false;

        private Builder() {}

        public Builder checkpointActivations(boolean v) {
            checkpointActivations = v;
            return this;
        }

        public MemoryConfig build() {
            return new MemoryConfig(checkpointActivations);
        }
    }
}
