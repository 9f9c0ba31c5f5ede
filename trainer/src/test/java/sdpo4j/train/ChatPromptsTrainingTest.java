package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.lm.weights.Safetensors;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

/**
 * A run from a release-like checkpoint (its config.json says bfloat16) with a system prompt:
 * teacher contexts carry the system turn through the model's chat template; {@code final/} is
 * saved as the release is (bf16, the same config.json), checkpoints in fp32 for an exact resume.
 */
class ChatPromptsTrainingTest {
    @TempDir
    Path dir;

    @Test
    void systemPromptReachesTeacherContextsAndFinalIsSavedLikeItsSource() throws Exception {
        Path model = dir.resolve("release");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("qwen3", 1, 32, 2, 1, 64, 256), 0, m);
        }
        String config = Files.readString(model.resolve("config.json")).replace("\"torch_dtype\" : \"float32\"",
                "\"torch_dtype\" : \"bfloat16\"");
        Files.writeString(model.resolve("config.json"), config);
        List<String> sets = new ArrayList<>(List.of("model=" + model, "dataset=../datasets/arithmetic/test.jsonl",
                "prompts-dir=../prompts", "eval.dataset=", "prompts=2", "group-size=3", "max-new-tokens=4", "lr=0.001", "steps=1",
                "completions-every=1", "objective.name=credit", "chat.system-prompt=Answer with a number.",
                "chat.template-variables=[enable_thinking=false]"));
        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, sets);
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "t", false);
        Trainer.Outcome o = Trainer.of(cfg, run).run();
        int withTeacher = 0;
        for (String line : Files.readAllLines(run.resolve("completions.jsonl"))) {
            Object ctx = new ObjectMapper().readValue(line, Map.class).get("teacher_context");
            if (ctx != null) {
                withTeacher++;
                String text = (String) ctx;
                // The log shows exactly what the teacher read, the template's special tokens included.
                assertTrue(text.startsWith("<|im_start|>system\nAnswer with a number.<|im_end|>\n<|im_start|>user\n"), text);
                assertTrue(text.endsWith("<|im_end|>\n<|im_start|>assistant\n"), text);
            }
        }
        assertTrue(withTeacher > 0, "no response had a teacher");
        assertEquals(config, Files.readString(o.finalModel().resolve("config.json")));
        assertTrue(Safetensors.readHeader(o.finalModel().resolve("model.safetensors")).values().stream()
                .allMatch(t -> t.dtype().equals("BF16")));
        Path checkpointModel = o.lastCheckpoint().resolve("model");
        assertEquals(config.replace("bfloat16", "float32"), Files.readString(checkpointModel.resolve("config.json")));
        assertTrue(Safetensors.readHeader(checkpointModel.resolve("model.safetensors")).values().stream()
                .allMatch(t -> t.dtype().equals("F32")));
    }
}
