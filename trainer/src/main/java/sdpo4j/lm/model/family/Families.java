package sdpo4j.lm.model.family;

import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;

/** The description of a config's family: the one place that lists the families. */
public final class Families {
    private Families() {}

    public static DecoderSpec describe(ModelConfig c) {
        return switch (c.architecture()) {
            case GPT2 -> Gpt2.describe(c);
            case LLAMA -> Llama.describe(c);
        };
    }
}
