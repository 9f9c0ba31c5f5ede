package sdpo4j.train;

import sdpo4j.config.Check;
import sdpo4j.config.Doc;

/**
 * What a run trades for memory (the {@code memory:} section); docs/training.md has the formula.
 * Each key's default and meaning: {@link Builder}.
 */
public record MemoryConfig(boolean checkpointActivations, boolean teacherHalf, int responseChunk) {
    public MemoryConfig {
        Check.atLeast("response-chunk", responseChunk, 0);
    }

    public static final MemoryConfig DEFAULT = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().checkpointActivations(checkpointActivations).teacherHalf(teacherHalf).responseChunk(responseChunk);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("activation (gradient) checkpointing of the student's pass: keep each block's input only and recompute "
                + "the block in the backward; about one more forward of time for activation memory of one block")
        private boolean checkpointActivations = false;

        @Doc("full fine-tuning: store the EMA teacher's weights in fp16 (2 bytes a parameter instead of 4; bf16 is not "
                + "possible in DJL 0.35's PyTorch engine); its passes still compute in fp32 and each EMA step is rounded "
                + "back stochastically, so steps smaller than fp16's spacing are kept in expectation. Not with LoRA (the "
                + "teacher there is the shared base plus small fp32 adapters)")
        private boolean teacherHalf = false;

        @Doc("responses per forward/backward pass of the update (0: a whole micro-batch): each pass scores its "
                + "responses under the teacher and the student, computes the objective and back-propagates it, so the "
                + "full-vocabulary `[responses, tokens, V]` arrays of one pass are all that live at once. A pass may split "
                + "a group (GRPO's group advantages are taken from the whole mini-batch); the update is the unsplit one's")
        private int responseChunk = 0;

        private Builder() {}

        public Builder checkpointActivations(boolean v) {
            checkpointActivations = v;
            return this;
        }

        public Builder teacherHalf(boolean v) {
            teacherHalf = v;
            return this;
        }

        public Builder responseChunk(int v) {
            responseChunk = v;
            return this;
        }

        public MemoryConfig build() {
            return new MemoryConfig(checkpointActivations, teacherHalf, responseChunk);
        }
    }
}
