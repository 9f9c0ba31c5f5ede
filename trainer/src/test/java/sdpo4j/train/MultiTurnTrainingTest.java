package sdpo4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sdpo4j.config.ConfigLoader;
import sdpo4j.env.Datasets;
import sdpo4j.env.Task;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.arithmetic.ArithmeticTool;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.lm.text.ChatOptions;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.weights.TinyModels;
import sdpo4j.run.RunDirectory;

/**
 * The multi-turn environment trains: a tiny model whose tokenizer carries Qwen2.5's real chat
 * template runs Credit (whose contrastive contexts are other tasks' conversations) on
 * arithmetic-tool; every teacher context it logs is that task's conversation with only the last
 * user turn rewritten, tool turn and tool call included, through the template.
 */
class MultiTurnTrainingTest {
    @TempDir
    Path dir;

    @Test
    void arithmeticToolTrainsWithTeacherContextsKeepingTheEarlierTurns() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("qwen3", 1, 32, 2, 1, 64, 256), 0, m);
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode qwen;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/qwen2.5/tokenizer_config.json")) {
            qwen = json.readTree(in);
        }
        Path config = model.resolve("tokenizer_config.json");
        ObjectNode tokenizerConfig = (ObjectNode) json.readTree(config.toFile());
        tokenizerConfig.put("chat_template", qwen.get("chat_template").asText());
        Files.writeString(config, json.writeValueAsString(tokenizerConfig));
        ChatTemplate template = ChatTemplate.load(model);

        TrainConfig cfg = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, List.of("model=" + model,
                "dataset=../datasets/arithmetic-tool/train.jsonl", "env.name=arithmetic-tool", "prompts-dir=../prompts",
                "eval.dataset=../datasets/arithmetic-tool/test.jsonl", "eval.every=2", "eval.max-tasks=3", "eval.samples=2",
                "prompts=2", "group-size=3", "max-new-tokens=4", "lr=0.001", "steps=2", "completions-every=1",
                "objective.name=credit", "objective.contrast-prompts=1"));
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "t", false);
        Trainer.of(cfg, run).run();

        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(2, metrics.size());
        assertTrue(json.readTree(metrics.get(1)).has("eval_greedy_accuracy"), metrics.get(1));
        Map<String, Task> tasks = new HashMap<>();
        for (Task t : Datasets.read(Path.of("../datasets/arithmetic-tool/train.jsonl"),
                new ArithmeticTool(ArithmeticConfig.DEFAULT, FeedbackDetail.INFORMATIVE))) {
            tasks.put(t.id(), t);
        }
        int withTeacher = 0;
        for (String line : Files.readAllLines(run.resolve("completions.jsonl"))) {
            JsonNode o = json.readTree(line);
            if (o.get("teacher_context").isNull()) {
                continue;
            }
            withTeacher++;
            Task task = tasks.get(o.get("task").asText());
            String context = o.get("teacher_context").asText();
            // The student's prompt through the template, up to the last user turn's text: the teacher's starts with it.
            String student = template.renderPrompt(task.conversation(), ChatOptions.NONE);
            String shared = student.substring(0, student.lastIndexOf(task.prompt()) + task.prompt().length());
            assertTrue(context.startsWith(shared), context);
            assertTrue(context.contains("<|im_start|>user\n<tool_response>\n" + task.history().get(2).content()
                    + "\n</tool_response><|im_end|>\n"), context);
            assertTrue(context.contains("<|im_start|>assistant\n" + task.history().get(1).content() + "<|im_end|>\n"), context);
            assertTrue(context.endsWith("<|im_end|>\n<|im_start|>assistant\n"), context);
            assertTrue(context.length() > student.length(), "the last user turn gained the solution or feedback");
        }
        assertTrue(withTeacher > 0, "no response had a teacher");
    }
}
