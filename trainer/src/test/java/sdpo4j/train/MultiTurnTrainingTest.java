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
import sdpo4j.env.TeacherContexts;
import sdpo4j.lm.decoding.SamplingConfig;
import sdpo4j.lm.text.ChatTemplate;
import sdpo4j.lm.text.Tokenizer;
import sdpo4j.optim.AdamW;
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

    private final ObjectMapper json = new ObjectMapper();

    /** A tiny model whose tokenizer_config.json carries Qwen2.5's chat template. */
    private Path qwenTemplatedModel() throws Exception {
        Path model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModels.create(model, TinyModels.config("qwen3", 1, 32, 2, 1, 64, 256), 0, m);
        }
        JsonNode qwen;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/qwen2.5/tokenizer_config.json")) {
            qwen = json.readTree(in);
        }
        Path config = model.resolve("tokenizer_config.json");
        ObjectNode tokenizerConfig = (ObjectNode) json.readTree(config.toFile());
        tokenizerConfig.put("chat_template", qwen.get("chat_template").asText());
        Files.writeString(config, json.writeValueAsString(tokenizerConfig));
        return model;
    }

    private static TrainConfig config(Path model, String... more) {
        List<String> sets = new java.util.ArrayList<>(List.of("model=" + model, "dataset=../datasets/arithmetic-tool/train.jsonl",
                "env.name=arithmetic-tool", "prompts-dir=../prompts", "prompts=2", "group-size=3", "max-new-tokens=4", "lr=0.001",
                "objective.name=credit", "objective.contrast-prompts=1"));
        sets.addAll(List.of(more));
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULT, null, sets);
    }

    private static List<Task> tasks(String file) {
        return Datasets.read(Path.of("../datasets/arithmetic-tool/" + file), new ArithmeticTool(ArithmeticConfig.DEFAULT,
                FeedbackDetail.INFORMATIVE));
    }

    @Test
    void rolloutsAreSampledFromTheWholeConversationAndTeachersReadItRewritten() throws Exception {
        Path model = qwenTemplatedModel();
        TrainConfig cfg = config(model);
        List<Task> tasks = tasks("test.jsonl").subList(0, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingModels models = TrainingModels.load(cfg, null, m);
            Tokenizer tok = Tokenizer.load(model, models.student().config());
            TeacherContexts contexts = new TeacherContexts(TeacherContexts.Templates.load(Path.of("../prompts"), "arithmetic-tool"));
            SelfDistillationStep step = new SelfDistillationStep(models.student(), models.teacher(), tok,
                    new ArithmeticTool(ArithmeticConfig.DEFAULT, FeedbackDetail.INFORMATIVE), contexts, cfg,
                    new AdamW(models.student().trainableParameters(), m, 0.9, 0.999, 1e-8, 0));
            List<RolloutGroup> groups = step.rollouts(m, tasks, 3, new SamplingConfig(1.0, 0, 1, 4, List.of(), 0));
            ChatTemplate template = ChatTemplate.load(model);
            for (int i = 0; i < tasks.size(); i++) {
                // The student's prompt: every turn of the conversation through Qwen2.5's template.
                assertEquals(template.renderPrompt(tasks.get(i).conversation(), ChatOptions.NONE),
                        tok.decodeRaw(groups.get(i).promptIds()));
            }
            // Each response's teacher context is its own task's conversation (Credit's contrast: the other task's),
            // rewritten with the same solution or feedback.
            List<TrainingExample> examples = step.examples(groups, new java.util.SplittableRandom(0));
            int withTeacher = 0;
            for (int i = 0; i < examples.size(); i++) {
                TrainingExample x = examples.get(i);
                if (!x.hasTeacher()) {
                    continue;
                }
                withTeacher++;
                Task own = tasks.get(i / 3);
                Task other = tasks.get(1 - i / 3);
                String teacher = tok.decodeRaw(x.teacherContext());
                String contrast = tok.decodeRaw(x.contrastContexts().get(0));
                assertTrue(teacher.startsWith(sharedPrefix(template, own)), teacher);
                assertTrue(contrast.startsWith(sharedPrefix(template, other)), contrast);
                assertEquals(teacher.substring(sharedPrefix(template, own).length()),
                        contrast.substring(sharedPrefix(template, other).length()), "the same solution/feedback after the prompt");
            }
            assertTrue(withTeacher > 0, "no response had a teacher");
            tok.close();
        }
    }

    /** The student's rendered prompt up to and including its last user turn's text: every teacher context starts so. */
    private static String sharedPrefix(ChatTemplate template, Task task) {
        String student = template.renderPrompt(task.conversation(), ChatOptions.NONE);
        return student.substring(0, student.lastIndexOf(task.prompt()) + task.prompt().length());
    }

    @Test
    void arithmeticToolTrainsWithTeacherContextsKeepingTheEarlierTurns() throws Exception {
        Path model = qwenTemplatedModel();
        ChatTemplate template = ChatTemplate.load(model);
        TrainConfig cfg = config(model, "eval.dataset=../datasets/arithmetic-tool/test.jsonl", "eval.every=1", "eval.max-tasks=3",
                "eval.samples=2", "steps=1", "completions-every=1");
        RunDirectory run = RunDirectory.create(dir.resolve("runs"), "t", false);
        Trainer.of(cfg, run).run();

        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(1, metrics.size());
        assertTrue(json.readTree(metrics.get(0)).has("eval_greedy_accuracy"), metrics.get(0));
        Map<String, Task> tasks = new HashMap<>();
        for (Task t : tasks("train.jsonl")) {
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
            assertTrue(context.startsWith(sharedPrefix(template, task)), context);
            assertTrue(context.contains("<|im_start|>user\n<tool_response>\n" + task.history().get(2).content()
                    + "\n</tool_response><|im_end|>\n"), context);
            assertTrue(context.contains("<|im_start|>assistant\n" + task.history().get(1).content() + "<|im_end|>\n"), context);
            assertTrue(context.endsWith("<|im_end|>\n<|im_start|>assistant\n"), context);
            assertTrue(context.length() > template.renderPrompt(task.conversation(), ChatOptions.NONE).length(),
                    "the last user turn gained the solution or feedback");
        }
        assertTrue(withTeacher > 0, "no response had a teacher");
    }
}
