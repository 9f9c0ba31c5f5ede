package sdpo4j.bridge;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import sdpo4j.env.Task;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.SequenceWorld;
import sdpo4j.env.sequence.WorldConfig;
import sdpo4j.sim.FeedbackType;

/**
 * The worlds of the bridge as tasks a language model reads. One model serves every seed, so
 * the prompt names the world: the model must have learnt each world's token quality to act as
 * its analytic teacher.
 */
final class BridgeWorlds {
    private final WorldConfig world;

    BridgeWorlds(WorldConfig world) {
        this.world = world;
    }

    WorldConfig config() {
        return world;
    }

    /** The task of world {@code seed}: the sequence-quality environment's fields. */
    Task task(long seed) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        fields.put("id", "world-" + seed);
        fields.put("prompt", prompt(seed));
        fields.put("world_seed", seed);
        return new Task("world-" + seed, prompt(seed), fields);
    }

    String prompt(long seed) {
        return "World " + seed + ". Write " + world.length() + " symbols from A-" + (char) ('A' + world.vocab() - 1)
                + ", separated by spaces.";
    }

    SequenceWorld world(long seed) {
        return new SequenceWorld(world, seed);
    }

    /** The environment whose feedback text renders this simulator oracle. */
    SequenceQuality env(FeedbackType type, double sigma) {
        SequenceQuality.Oracle oracle = switch (type) {
            case BINARY -> SequenceQuality.Oracle.BINARY;
            case ORDINAL -> SequenceQuality.Oracle.ORDINAL;
            case CONTINUOUS -> SequenceQuality.Oracle.CONTINUOUS;
            case CRITIQUE -> SequenceQuality.Oracle.CRITIQUE;
            case CRITIQUE_LITERAL -> throw new IllegalArgumentException(
                    "the literal critique teacher equals continuous; the bridge does not run it");
        };
        // Rewards are below 1, so no rollout succeeds: every teacher reads feedback, never a sibling.
        return new SequenceQuality(world, oracle, sigma, 1.0);
    }
}
