package sdpo4j.lm.weights;

import java.util.Collection;
import java.util.List;

/**
 * Tensor names of a multimodal checkpoint whose text decoder we run (Gemma 3 from 4B up,
 * {@code Gemma3ForConditionalGeneration}): the decoder's tensors carry a wrapper prefix, and the
 * vision encoder's and projector's tensors are not ours. Two layouts exist: transformers before
 * 4.52 saved {@code language_model.model.layers...} (and {@code language_model.lm_head}), later
 * versions save {@code model.language_model.layers...} and {@code lm_head}. A checkpoint without
 * either prefix is a plain decoder and keeps its names.
 */
final class TextTower {
    /** Wrapped prefix, and what it stands for in a plain decoder checkpoint. */
    private static final List<String[]> PREFIXES = List.of(new String[] {"language_model.model.", "model."},
            new String[] {"language_model.lm_head.", "lm_head."}, new String[] {"model.language_model.", "model."});
    /** The other towers: their tensors are left unread. */
    private static final List<String> OTHER_TOWERS = List.of("vision_tower.", "multi_modal_projector.", "model.vision_tower.",
            "model.multi_modal_projector.");

    private final boolean wrapped;

    private TextTower(boolean wrapped) {
        this.wrapped = wrapped;
    }

    /** The mapping for a checkpoint with these tensor names. */
    static TextTower of(Collection<String> names) {
        return new TextTower(names.stream().anyMatch(n -> PREFIXES.stream().anyMatch(p -> n.startsWith(p[0]))));
    }

    /** The decoder's name for {@code name}, or null for another tower's tensor. */
    String map(String name) {
        if (!wrapped) {
            return name;
        }
        for (String[] p : PREFIXES) {
            if (name.startsWith(p[0])) {
                return p[1] + name.substring(p[0].length());
            }
        }
        return OTHER_TOWERS.stream().anyMatch(name::startsWith) ? null : name;
    }
}
