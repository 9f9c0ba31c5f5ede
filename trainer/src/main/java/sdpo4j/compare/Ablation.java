package sdpo4j.compare;

import sdpo4j.config.ConfigException;
import sdpo4j.config.Doc;
import sdpo4j.train.TrainConfig;

/**
 * One file of an ablation set ({@code bin/sdpo4j ablate}): what it varies, the setting it
 * tries, the arm it is paired against, and its training keys over the set's shared run. Each
 * key's default and meaning: {@link Builder}.
 */
public record Ablation(String ablation, String setting, String reference, TrainConfig train) {
    public static final Ablation DEFAULT = builder().build();

    public Ablation {
        if (train == null) {
            throw new ConfigException("train", null, "a section of training keys");
        }
        ablation = ablation == null ? null : ablation.strip();
        setting = setting == null ? null : setting.strip();
        if (reference == null || reference.isBlank()) {
            throw new ConfigException("reference", reference, "the name of another arm: a method of base.yaml or "
                    + "another file's name without .yaml");
        }
    }

    /** This ablation over another shared run (the keys a file sets are merged over it by the loader). */
    public Ablation withTrain(TrainConfig shared) {
        return new Ablation(ablation, setting, reference, shared);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("what the ablation varies, e.g. `EMA rate`: the report groups its rows by it (required)")
        private String ablation = null;
        @Doc("the value this file tries, in words, e.g. `0 (the initial model, frozen)` (required)")
        private String setting = null;
        @Doc("the arm it is paired against: a method of `base.yaml` (`grpo`, `sdpo`, `credit`...) or another file's "
                + "name without `.yaml`")
        private String reference = "sdpo";
        @Doc("training keys over the shared run of `base.yaml` (e.g. `ema-rate: 0`); keys left out keep its values")
        private TrainConfig train = TrainConfig.DEFAULT;

        private Builder() {}

        public Builder ablation(String v) {
            ablation = v;
            return this;
        }

        public Builder setting(String v) {
            setting = v;
            return this;
        }

        public Builder reference(String v) {
            reference = v;
            return this;
        }

        public Builder train(TrainConfig v) {
            train = v;
            return this;
        }

        public Ablation build() {
            return new Ablation(ablation, setting, reference, train);
        }
    }
}
