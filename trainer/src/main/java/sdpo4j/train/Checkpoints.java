package sdpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;
import sdpo4j.lm.weights.SaveOptions;
import sdpo4j.lm.weights.Safetensors;
import sdpo4j.lm.weights.TensorInfo;
import sdpo4j.optim.AdamW;
import sdpo4j.run.AtomicFiles;
import sdpo4j.run.Manifest;

/**
 * {@code <run>/checkpoints/step-NNNNNN/}: {@code model/} (the student, a HuggingFace directory
 * with the tokenizer, in fp32 so that a resumed run continues from exactly these weights), {@code teacher/} (the EMA teacher, same format), {@code optimizer.safetensors}
 * (AdamW moments) and {@code trainer-state.json}; a LoRA run keeps {@code adapter/} and
 * {@code teacher-adapter/} (PEFT directories) instead of the two models. A checkpoint is assembled in a hidden
 * {@code .step-NNNNNN.partial} directory and renamed into place in one step, so a directory named
 * {@code step-NNNNNN} is always complete: a run killed mid-write leaves only a partial directory,
 * which is ignored and removed next time. Older checkpoints are deleted only after a newer one is
 * in place. The last file written is {@code manifest.json} (every file's size and SHA-256):
 * {@code --resume} takes the newest checkpoint that matches its manifest, and sets aside newer
 * ones that do not (renamed to {@code .step-NNNNNN.rejected-TIME}, never deleted).
 */
public final class Checkpoints {
    static final String DIR = "checkpoints";
    private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a run needs besides weights to continue exactly: steps done, AdamW's step count,
     * the best value of the chosen metric so far and its step (0 = none yet).
     */
    record State(long step, long optimizerSteps, double bestValue, long bestStep, double wallSeconds) {}

    private final Path root;

    Checkpoints(Path runDir) {
        this.root = runDir.resolve(DIR);
    }

    Path root() {
        return root;
    }

    Path dirOf(long step) {
        return root.resolve(String.format("step-%06d", step));
    }

    /** Writes a complete checkpoint for {@code state.step()}; an earlier one with the same step is replaced. */
    Path save(DecoderLM student, DecoderLM teacher, AdamW adam, State state, Path tokenizerDir, SaveOptions options) {
        Path target = dirOf(state.step());
        try {
            Files.createDirectories(root);
            // A partial directory left by a crash is ignored by every reader and removed by the next save.
            AtomicFiles.writeDirectory(target, tmp -> {
                boolean adapters = student.adaptation() != null;
                TrainingModels.save(student, tmp.resolve(adapters ? TrainingModels.STUDENT_ADAPTER : "model"), tokenizerDir,
                        tokenizerDir, options);
                TrainingModels.save(teacher, tmp.resolve(adapters ? TrainingModels.TEACHER_ADAPTER : "teacher"), null,
                        tokenizerDir, options);
                Safetensors.write(tmp.resolve("optimizer.safetensors"), adam.state(),
                        Map.of("optimizer", "adamw", "steps", Long.toString(adam.steps())));
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("step", state.step());
                json.put("optimizer_steps", state.optimizerSteps());
                json.put("best_value", Double.isNaN(state.bestValue()) ? null : state.bestValue());
                json.put("best_step", state.bestStep());
                json.put("wall_seconds", state.wallSeconds());
                AtomicFiles.writeString(tmp.resolve("trainer-state.json"),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
                Manifest.write(tmp);
            });
            return target;
        } catch (IOException | RuntimeException e) {
            throw new TrainingException("cannot write checkpoint " + target + " (earlier checkpoints are intact): "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
    }

    /** Complete checkpoints, oldest first. */
    List<Long> steps() {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            s.forEach(p -> {
                Matcher mt = NAME.matcher(p.getFileName().toString());
                if (mt.matches() && Files.isRegularFile(p.resolve("trainer-state.json"))) {
                    out.add(Long.parseLong(mt.group(1)));
                }
            });
        } catch (IOException e) {
            throw new TrainingException("cannot list " + root + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** What is wrong with checkpoint {@code step}: its files against the manifest, then its trainer state; empty when intact. */
    List<String> problems(long step) {
        List<String> problems = Manifest.verify(dirOf(step));
        if (problems.isEmpty()) {
            try {
                readState(step);
            } catch (TrainingException e) {
                return List.of("trainer-state.json is unreadable");
            }
        }
        return problems;
    }

    /**
     * The newest intact checkpoint. Each newer one that fails verification is reported through
     * {@code report} in one line and set aside, so that later saves, pruning and resumes never
     * take it for the newest. With none intact, nothing is moved and the error names each.
     */
    Optional<Long> newestIntact(java.util.function.Consumer<String> report) {
        List<Long> all = steps();
        List<String> rejected = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0; i--) {
            List<String> problems = problems(all.get(i));
            if (problems.isEmpty()) {
                for (int j = all.size() - 1; j > i; j--) {
                    setAside(all.get(j));
                }
                rejected.forEach(report);
                if (!rejected.isEmpty()) {
                    report.accept("resuming from " + dirOf(all.get(i)) + ", the newest intact checkpoint");
                }
                return Optional.of(all.get(i));
            }
            rejected.add("checkpoint " + dirOf(all.get(i)) + " is damaged: " + String.join("; ", problems));
        }
        if (!rejected.isEmpty()) {
            throw new TrainingException("no intact checkpoint to resume from (nothing was changed): "
                    + String.join(" | ", rejected));
        }
        return Optional.empty();
    }

    private void setAside(long step) {
        Path from = dirOf(step);
        Path to = root.resolve("." + from.getFileName() + ".rejected-" + System.currentTimeMillis());
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TrainingException("cannot set aside the damaged checkpoint " + from + ": " + e.getMessage(), e);
        }
    }

    /** One checkpoint directory and what is wrong with it (empty: intact). */
    public record Status(Path dir, List<String> problems) {
        public boolean intact() {
            return problems.isEmpty();
        }
    }

    /** Every complete-looking checkpoint of the run in {@code runDir}, oldest first, verified. */
    public static List<Status> verify(Path runDir) {
        Checkpoints c = new Checkpoints(runDir);
        List<Status> out = new ArrayList<>();
        for (long step : c.steps()) {
            out.add(new Status(c.dirOf(step), c.problems(step)));
        }
        return out;
    }

    Optional<Long> latest() {
        List<Long> s = steps();
        return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
    }

    State readState(long step) {
        Path file = dirOf(step).resolve("trainer-state.json");
        try {
            Map<?, ?> m = JSON.readValue(file.toFile(), Map.class);
            Object best = m.get("best_value");
            return new State(((Number) m.get("step")).longValue(), ((Number) m.get("optimizer_steps")).longValue(),
                    best == null ? Double.NaN : ((Number) best).doubleValue(), ((Number) m.get("best_step")).longValue(),
                    ((Number) m.get("wall_seconds")).doubleValue());
        } catch (IOException | RuntimeException e) {
            throw new TrainingException(file + ": unreadable trainer state (" + e.getMessage() + "); delete this checkpoint "
                    + "directory to resume from an earlier one", e);
        }
    }

    /** Loads the optimizer moments of checkpoint {@code step} into {@code adam}. */
    void restoreOptimizer(long step, AdamW adam, long optimizerSteps, NDManager m) {
        Path file = dirOf(step).resolve("optimizer.safetensors");
        Map<String, NDArray> saved = new LinkedHashMap<>();
        try (NDManager tmp = m.newSubManager()) {
            for (Map.Entry<String, TensorInfo> e : Safetensors.readHeader(file).entrySet()) {
                saved.put(e.getKey(), Safetensors.load(tmp, file, e.getValue()));
            }
            adam.restore(saved, optimizerSteps);
        } catch (IllegalArgumentException e) {
            throw new TrainingException(file + ": " + e.getMessage(), e);
        }
    }

    /** Deletes all but the newest {@code keepLast} complete checkpoints, sparing {@code keep} (the best; 0 = none). */
    void prune(int keepLast, long keep) {
        List<Long> s = steps();
        for (int i = 0; i < s.size() - keepLast; i++) {
            if (s.get(i) != keep) {
                try {
                    // Renamed out of the step-NNNNNN namespace first, so that a run killed while
                    // deleting never leaves a half-deleted directory that looks complete.
                    Path doomed = root.resolve("." + dirOf(s.get(i)).getFileName() + ".deleting");
                    AtomicFiles.deleteTree(doomed);
                    Files.move(dirOf(s.get(i)), doomed, StandardCopyOption.ATOMIC_MOVE);
                    AtomicFiles.deleteTree(doomed);
                } catch (IOException e) {
                    throw new TrainingException("cannot delete old checkpoint " + dirOf(s.get(i)) + ": " + e.getMessage(), e);
                }
            }
        }
    }
}
