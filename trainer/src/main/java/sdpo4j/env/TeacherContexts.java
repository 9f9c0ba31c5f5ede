package sdpo4j.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntSupplier;
import sdpo4j.lm.text.ChatTemplate;

/**
 * Chooses each response's teacher context from its group and renders it (SPEC 3): the prompt, then another
 * successful response of the same group (never the response itself), then the feedback on
 * this response (by default only when no solution is available), then the instruction to
 * solve the original question. A response with neither has no teacher. Of a multi-turn task only
 * the last user turn is rewritten so; its earlier turns reach the teacher as written ({@link #conversation}).
 */
public final class TeacherContexts {
    /** A scored rollout of one group. */
    public record Rollout(String response, Score score) {}

    /**
     * What a response's teacher sees besides the prompt: a successful sibling response and/or
     * the feedback on this response (either may be null, not both). Rendering it with another
     * prompt gives Credit's contrastive context.
     */
    public record Context(String solution, String feedback) {}

    /** The templates of a task family, read from {@code prompts/<family>/} (or {@code default/}). */
    public record Templates(String reprompt, String solution, String feedback) {
        /**
         * A template without its placeholder (a typo such as {@code {promt}}) would silently drop
         * the prompt, the solution or the feedback from every teacher context; refuse it.
         */
        public Templates {
            require("reprompt.txt", reprompt, "{prompt}");
            require("reprompt.txt", reprompt, "{solution}");
            require("reprompt.txt", reprompt, "{feedback}");
            require("solution.txt", solution, "{solution}");
            require("feedback.txt", feedback, "{feedback}");
        }

        private static void require(String file, String template, String placeholder) {
            if (template == null || !template.contains(placeholder)) {
                throw new DatasetException(file + ": the template has no " + placeholder + " placeholder");
            }
        }

        public static Templates load(Path promptsDir, String family) {
            Path dir = promptsDir.resolve(family);
            if (!Files.isDirectory(dir)) {
                dir = promptsDir.resolve("default");
            }
            String reprompt;
            String solution;
            String feedback;
            try {
                reprompt = Files.readString(dir.resolve("reprompt.txt"));
                solution = Files.readString(dir.resolve("solution.txt"));
                feedback = Files.readString(dir.resolve("feedback.txt"));
            } catch (IOException e) {
                throw new DatasetException(dir + ": cannot read the teacher-context templates (reprompt.txt, solution.txt, "
                        + "feedback.txt): " + e.getMessage());
            }
            try {
                return new Templates(reprompt, solution, feedback);
            } catch (DatasetException e) {
                throw new DatasetException(dir + "/" + e.getMessage());
            }
        }
    }

    private final Templates templates;
    private final RepromptConfig cfg;

    /** Contexts with the default settings (SPEC 3). */
    public TeacherContexts(Templates templates) {
        this(templates, RepromptConfig.DEFAULT);
    }

    public TeacherContexts(Templates templates, RepromptConfig cfg) {
        this.templates = templates;
        this.cfg = cfg;
    }

    /**
     * The teacher context of every rollout of a group, empty where there is none. The
     * solution shown is drawn uniformly among the successful rollouts (never the rollout itself
     * unless {@code dont-reprompt-on-self-success} is off).
     */
    public List<Optional<Context>> build(List<Rollout> group, SplittableRandom rng) {
        List<Optional<Context>> out = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < group.size(); j++) {
                if ((j != i || !cfg.dontRepromptOnSelfSuccess()) && cfg.success(group.get(j).score())) {
                    others.add(j);
                }
            }
            String solution = others.isEmpty() || !cfg.includeSolution() ? null : group.get(others.get(rng.nextInt(others.size()))).response();
            solution = solution != null && cfg.removeThinking() ? withoutThinking(solution) : solution;
            String feedback = group.get(i).score().feedback();
            boolean useFeedback = cfg.includeFeedback() && !feedback.isBlank()
                    && (solution == null || !cfg.feedbackOnlyWithoutSolution());
            out.add(solution == null && !useFeedback ? Optional.empty()
                    : Optional.of(new Context(solution, useFeedback ? feedback : null)));
        }
        return out;
    }

    /**
     * {@code text} without its {@code <think>...</think>} spans and the whitespace after each; an
     * unclosed {@code <think>} (a response cut mid-thought) is removed to the end.
     */
    static String withoutThinking(String text) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        while (true) {
            int open = text.indexOf("<think>", from);
            if (open < 0) {
                sb.append(text, from, text.length());
                return sb.toString().strip();
            }
            sb.append(text, from, open);
            int close = text.indexOf("</think>", open);
            if (close < 0) {
                return sb.toString().strip();
            }
            from = close + "</think>".length();
            while (from < text.length() && Character.isWhitespace(text.charAt(from))) {
                from++;
            }
        }
    }

    /**
     * A tokenized teacher context cut to {@code max-reprompt-len} on the configured side, or
     * refused ({@code error}) with its length and the limit. {@code right} cuts the end of the
     * context's text but keeps its last {@code generationPrompt} ids (the chat template's
     * end-of-turn and generation prompt, asked for only when a cut is needed): the teacher must
     * still read the response as the assistant's turn. {@code left} keeps the last ids, which
     * hold them anyway.
     */
    public long[] fit(long[] ids, IntSupplier generationPrompt) {
        int max = cfg.maxRepromptLen();
        if (ids.length <= max) {
            return ids;
        }
        return switch (cfg.truncation()) {
            case RIGHT -> {
                int tail = generationPrompt.getAsInt();
                if (tail >= max) {
                    throw new DatasetException("reprompt.max-reprompt-len " + max + " leaves no room for a teacher context "
                            + "beside the chat template's " + tail + " closing tokens (end of turn, generation prompt); raise it");
                }
                long[] out = Arrays.copyOf(ids, max);
                System.arraycopy(ids, ids.length - tail, out, max - tail, tail);
                yield out;
            }
            case LEFT -> Arrays.copyOfRange(ids, ids.length - max, ids.length);
            case ERROR -> throw new DatasetException("a teacher context has " + ids.length + " tokens, over "
                    + "reprompt.max-reprompt-len " + max + " (reprompt.truncation: error; set right or left to cut it)");
        };
    }

    /**
     * The teacher's conversation: the original one with its last user turn replaced by the
     * teacher context (system messages and earlier turns kept), ready for the chat template.
     */
    public static List<ChatTemplate.Message> asChat(List<ChatTemplate.Message> original, String teacherUserTurn) {
        List<ChatTemplate.Message> out = new ArrayList<>(original);
        for (int i = out.size() - 1; i >= 0; i--) {
            if (out.get(i).role().equals("user")) {
                out.set(i, new ChatTemplate.Message("user", teacherUserTurn));
                return out;
            }
        }
        out.add(new ChatTemplate.Message("user", teacherUserTurn));
        return out;
    }

    /**
     * The teacher's conversation for {@code task}: every turn before its last user turn exactly as
     * the dataset wrote it (system, user, assistant and tool turns), and that last user turn
     * replaced by {@link #render}'s text. A single-turn task gives one user turn. With another task
     * of the batch, it is Credit's contrastive context (that task's turns, this solution/feedback).
     */
    public List<ChatTemplate.Message> conversation(Task task, Context context) {
        return asChat(task.conversation(), render(task.prompt(), context));
    }

    /**
     * The teacher's prompt text (the user turn). With another prompt of the batch in place of
     * the response's own, it is Credit's contrastive context: solution and feedback unchanged.
     */
    public String render(String prompt, Context context) {
        String s = context.solution() == null ? "" : templates.solution().replace("{solution}", context.solution());
        String f = context.feedback() == null ? "" : templates.feedback().replace("{feedback}", context.feedback());
        // Placeholders are filled in one pass so that text inside a response cannot be re-expanded.
        StringBuilder sb = new StringBuilder();
        String t = templates.reprompt();
        for (int i = 0; i < t.length(); ) {
            if (t.startsWith("{prompt}", i)) {
                sb.append(prompt);
                i += "{prompt}".length();
            } else if (t.startsWith("{solution}", i)) {
                sb.append(s);
                i += "{solution}".length();
            } else if (t.startsWith("{feedback}", i)) {
                sb.append(f);
                i += "{feedback}".length();
            } else {
                sb.append(t.charAt(i++));
            }
        }
        return sb.toString();
    }
}
