package sdpo4j.env.arithmetic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sdpo4j.env.DatasetException;
import sdpo4j.env.Environment;
import sdpo4j.env.FeedbackDetail;
import sdpo4j.env.Score;
import sdpo4j.env.Task;

/**
 * Two-turn arithmetic with a tool result: the task's prompt is a conversation in which the user
 * asks for {@code (a+b)-c}, the assistant calls a calculator on the bracket, the tool returns its
 * value, and the last user turn asks for the rest ({@code 7-2=}). The policy answers that last
 * turn; its teacher sees the same earlier turns and that turn rewritten with the solution or
 * feedback. Scored as {@link Arithmetic}: the first integer of the response against {@code answer}.
 */
public final class ArithmeticTool implements Environment {
    private final Arithmetic scoring;

    public ArithmeticTool(ArithmeticConfig cfg, FeedbackDetail detail) {
        this.scoring = new Arithmetic(cfg, detail);
    }

    @Override
    public String name() {
        return "arithmetic-tool";
    }

    @Override
    public void validate(Task task) {
        if (task.history().stream().noneMatch(m -> m.role().equals("tool"))) {
            throw new DatasetException.Field("prompt", "must be a conversation with a tool turn (the calculator's result) "
                    + "before its last user turn; got " + (task.history().isEmpty() ? "a single user turn"
                    : "turns " + task.history().stream().map(m -> m.role()).toList() + " and the last user turn"));
        }
        scoring.validate(task);
    }

    @Override
    public Score score(Task task, String response) {
        return scoring.score(task, response);
    }

    /**
     * Seeded tasks as JSONL-ready maps ({@code id}, {@code prompt} as a conversation, {@code
     * answer}): three operands below {@code 10^digits}, two operators drawn from {@code
     * cfg.operators()} ({@code terms} is not used); the first operation is the calculator's.
     */
    public static List<Map<String, Object>> generate(ArithmeticConfig cfg, int count, long seed, String idPrefix) {
        Random rnd = new Random(seed);
        int max = (int) Math.pow(10, cfg.digits());
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long a = rnd.nextInt(max);
            long b = rnd.nextInt(max);
            long c = rnd.nextInt(max);
            String op1 = cfg.operators().get(rnd.nextInt(cfg.operators().size()));
            String op2 = cfg.operators().get(rnd.nextInt(cfg.operators().size()));
            long bracket = Arithmetic.evaluate(List.of(a, b), List.of(op1));
            String call = "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"" + a + op1 + b
                    + "\"}}\n</tool_call>";
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("id", idPrefix + i);
            task.put("prompt", List.of(turn("user", "(" + a + op1 + b + ")" + op2 + c + "="), turn("assistant", call),
                    turn("tool", String.valueOf(bracket)), turn("user", bracket + op2 + c + "=")));
            task.put("answer", Arithmetic.evaluate(List.of(bracket, c), List.of(op2)));
            out.add(task);
        }
        return out;
    }

    private static Map<String, String> turn(String role, String content) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("role", role);
        t.put("content", content);
        return t;
    }
}
