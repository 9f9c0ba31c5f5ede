package sdpo4j.discover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import sdpo4j.lm.lora.LoraAdapters;
import sdpo4j.lm.lora.LoraConfig;
import sdpo4j.lm.model.DecoderLM;

/**
 * The student and teacher SDPO trains on one question, made fresh for every question so that
 * nothing learnt on one reaches the next: throw-away copies of every base weight, or (LoRA) fresh
 * adapters over the shared, untouched base (B zero, so the adapted model starts equal to it). Their
 * arrays live on the question's manager and go when it closes.
 */
final class QuestionModels {
    /** The pair one question trains. */
    record Pair(DecoderLM student, DecoderLM teacher) {}

    private final DecoderLM base;
    private final LoraConfig lora;

    QuestionModels(DecoderLM base, LoraConfig lora) {
        this.base = base;
        this.lora = lora;
    }

    /** A fresh pair on {@code m}; LoRA adapters are initialised from {@code seed} (the same seed, the same adapters). */
    Pair fresh(NDManager m, long seed) {
        if (lora.enabled()) {
            LoraAdapters s = LoraAdapters.initialise(base, lora, m, seed);
            return new Pair(base.adapted(s), base.adapted(s.copy(m)));
        }
        return new Pair(copy(m), copy(m));
    }

    private DecoderLM copy(NDManager m) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        base.parameters().forEach((name, p) -> {
            NDArray c = p.stopGradient().duplicate();
            c.attach(m);
            copies.put(name, c);
        });
        return new DecoderLM(base.config(), copies);
    }
}
