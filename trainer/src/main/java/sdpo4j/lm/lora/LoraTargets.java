package sdpo4j.lm.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sdpo4j.config.ConfigException;
import sdpo4j.lm.model.DecoderSpec;
import sdpo4j.lm.model.ModelConfig;
import sdpo4j.lm.model.family.Families;

/**
 * Which projections of a model the adapter targets name. A target is a module of every layer:
 * {@code q k v o} (attention) and {@code gate up down} (MLP), resolved through the family's
 * tensor names; PEFT's {@code target_modules} are the last part of those names ({@code q_proj},
 * {@code c_fc}). A family that computes q, k and v (or gate and up) in one projection has no
 * separate module to adapt: such a target is refused, naming the ones it has.
 */
public final class LoraTargets {
    /** Every target name a config may give. */
    public static final List<String> NAMES = List.of("q", "k", "v", "o", "gate", "up", "down");

    private LoraTargets() {}

    /** The module stems of one layer's projections by target name (only those the family has as separate modules). */
    static Map<String, String> modules(DecoderSpec spec) {
        DecoderSpec.Names n = spec.names();
        Map<String, String> out = new LinkedHashMap<>();
        if (!spec.fusedQkv()) {
            out.put("q", n.qkv().get(0));
            out.put("k", n.qkv().get(1));
            out.put("v", n.qkv().get(2));
        }
        out.put("o", n.out());
        List<String> mlp = n.mlp();
        switch (spec.mlp()) {
            case GELU_TANH -> {
                out.put("up", mlp.get(0));
                out.put("down", mlp.get(1));
            }
            case FUSED_GATED_SILU -> out.put("down", mlp.get(1));
            default -> {
                out.put("gate", mlp.get(0));
                out.put("up", mlp.get(1));
                out.put("down", mlp.get(2));
            }
        }
        return out;
    }

    /**
     * The full stems ({@code model.layers.3.self_attn.q_proj}) of {@code targets} in every layer,
     * layer by layer in the config's order.
     *
     * @throws ConfigException naming the target a family does not have as a module of its own
     */
    public static List<String> stems(ModelConfig c, List<String> targets) {
        DecoderSpec spec = Families.describe(c);
        Map<String, String> modules = modules(spec);
        for (String t : targets) {
            if (!modules.containsKey(t)) {
                throw new ConfigException("lora.targets", t, "one of " + List.copyOf(modules.keySet()) + " for "
                        + c.modelType() + " (it computes " + (spec.fusedQkv() && List.of("q", "k", "v").contains(t)
                        ? "q, k and v in one projection, " + spec.names().qkv().get(0) : "gate and up in one projection")
                        + ", which LoRA here does not split)");
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            for (String t : targets) {
                out.add(spec.names().layer(i) + modules.get(t));
            }
        }
        return out;
    }

    /** The target names whose module's last name part is in {@code peftModules} ({@code q_proj} is q for Llama). */
    static List<String> fromPeft(ModelConfig c, List<String> peftModules, String where) {
        Map<String, String> modules = modules(Families.describe(c));
        List<String> out = new ArrayList<>();
        List<String> unmatched = new ArrayList<>(peftModules);
        modules.forEach((name, stem) -> {
            String last = lastPart(stem);
            if (peftModules.contains(last)) {
                out.add(name);
                unmatched.remove(last);
            }
        });
        if (!unmatched.isEmpty()) {
            List<String> known = modules.values().stream().map(LoraTargets::lastPart).toList();
            throw new ConfigException(where + " target_modules", unmatched, "module names of a " + c.modelType()
                    + " layer: " + known);
        }
        return out;
    }

    static String lastPart(String stem) {
        return stem.substring(stem.lastIndexOf('.') + 1);
    }
}
