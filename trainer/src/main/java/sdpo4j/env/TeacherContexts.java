package sdpo4j.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import sdpo4j.lm.text.ChatTemplate;

/**
 * Chooses each response's teacher context from its group and renders it (SPEC 3): the prompt, then another
 * successful response of the same group (never the response itself), then the feedback on
 * this response (by default only when no solution is available), then the instruction to
 * solve the original question. A response with neither has no teacher.
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

    /** What a teacher context may show: the SDPO paper's teacher-context ablation. */
    public enum Sources {
        /** A successful sibling, and the feedback when there is none (or always, with feedback-with-solution): SDPO. */
        BOTH,
        /** A successful sibling only: a response whose group has no other success has no teacher. */
        SOLUTION,
        /** The environment's feedback only: siblings are never shown. */
        FEEDBACK
    }

    private final Templates templates;
    private final Sources sources;
    private final boolean feedbackWithSolution;

    /**
     * @param feedbackWithSolution include the feedback block even when a solution is shown
     *     (the official default is off)
     */
    public TeacherContexts(Templates templates, boolean feedbackWithSolution) {
        this(templates, Sources.BOTH, feedbackWithSolution);
    }

    /**
     * @param sources what a context may show
     * @param feedbackWithSolution with {@link Sources#BOTH}: include the feedback block even when
     *     a solution is shown (the official default is off)
     */
    public TeacherContexts(Templates templates, Sources sources, boolean feedbackWithSolution) {
        this.templates = templates;
        this.sources = sources;
        this.feedbackWithSolution = feedbackWithSolution;
    }

    /**
     * The teacher context of every rollout of a group, empty where there is none. The
     * solution shown is drawn uniformly among the other successful rollouts.
     */
    public List<Optional<Context>> build(List<Rollout> group, SplittableRandom rng) {
        List<Optional<Context>> out = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            List<Integer> others = new ArrayList<>();
            for (int j = 0; j < group.size(); j++) {
                if (j != i && group.get(j).score().success()) {
                    others.add(j);
                }
            }
            String solution = others.isEmpty() || sources == Sources.FEEDBACK ? null
                    : group.get(others.get(rng.nextInt(others.size()))).response();
            String feedback = group.get(i).score().feedback();
            boolean useFeedback = sources != Sources.SOLUTION && !feedback.isBlank()
                    && (solution == null || feedbackWithSolution);
            out.add(solution == null && !useFeedback ? Optional.empty()
                    : Optional.of(new Context(solution, useFeedback ? feedback : null)));
        }
        return out;
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
