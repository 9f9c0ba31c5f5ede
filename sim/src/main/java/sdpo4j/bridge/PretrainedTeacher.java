package sdpo4j.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import sdpo4j.config.ConfigException;
import sdpo4j.run.AtomicFiles;

/**
 * The record a bridge writes beside its learned teacher ({@value #FILE}): the settings that
 * determine the model, so that a later bridge can reuse it ({@code --model}) only when it would
 * have pretrained the same model.
 */
final class PretrainedTeacher {
    static final String FILE = "bridge-pretrain.json";

    private PretrainedTeacher() {}

    private static Map<String, Object> settings(BridgeConfig cfg) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seeds", cfg.seeds());
        s.put("seed", cfg.seed());
        s.put("beta", cfg.beta());
        s.put("world", cfg.world().toString());
        s.put("model", cfg.model().toString());
        s.put("pretrain", cfg.pretrain().toString());
        s.put("prompts_dir", cfg.promptsDir());
        if (!cfg.chat().equals(sdpo4j.train.ChatConfig.DEFAULT)) {
            s.put("chat", cfg.chat().toString()); // only when set, so that earlier records stay valid
        }
        return s;
    }

    static void record(Path modelDir, BridgeConfig cfg, double finalLoss) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("settings", settings(cfg));
        r.put("final_loss", finalLoss);
        try {
            AtomicFiles.writeString(modelDir.resolve(FILE), new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + modelDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code modelDir} is a bridge's learned teacher (else any checkpoint, used as it is). */
    static boolean isBridgeModel(Path modelDir) {
        return Files.isRegularFile(modelDir.resolve(FILE));
    }

    /** Refuses a model directory that is not a learned teacher pretrained with these settings. */
    static void check(Path modelDir, BridgeConfig cfg) {
        Map<?, ?> r = read(modelDir);
        if (!settings(cfg).toString().equals(String.valueOf(r.get("settings")))) {
            throw new ConfigException("--model", modelDir.toString(), "a bridge model pretrained with the same seeds, seed, beta, "
                    + "world, model, pretrain and prompts-dir; it has " + r.get("settings") + ", this run needs " + settings(cfg));
        }
    }

    static double finalLoss(Path modelDir) {
        return ((Number) read(modelDir).get("final_loss")).doubleValue();
    }

    private static Map<?, ?> read(Path modelDir) {
        Path f = modelDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new ConfigException("--model", modelDir.toString(), "the model directory of an earlier bridge run (it has no " + FILE + ")");
        }
        try {
            return new ObjectMapper().readValue(f.toFile(), Map.class);
        } catch (IOException e) {
            throw new ConfigException("--model", modelDir.toString(), "a readable " + FILE + " (" + e.getMessage() + ")");
        }
    }
}
