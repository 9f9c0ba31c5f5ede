package sdpo4j.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import sdpo4j.lm.lora.LoraAdapters;
import sdpo4j.lm.lora.PeftAdapters;
import sdpo4j.lm.model.DecoderLM;
import sdpo4j.lm.weights.HfCheckpoint;

/**
 * The student and the EMA teacher a run trains, as its config says. Full fine-tuning: two
 * models, each with weights of its own. LoRA: the base model once (frozen), the student and the
 * teacher each the base plus adapters of their own (the teacher's start as a copy of the
 * student's and move by EMA), so only the adapters are trained, averaged and checkpointed.
 */
record TrainingModels(DecoderLM student, DecoderLM teacher) {
    /** Checkpoint subdirectories of a LoRA run's student and teacher adapters (PEFT directories). */
    static final String STUDENT_ADAPTER = "adapter";
    static final String TEACHER_ADAPTER = "teacher-adapter";

    /**
     * A fresh run's models ({@code checkpoint} null) or those of a checkpoint directory being resumed.
     */
    static TrainingModels load(TrainConfig cfg, Path checkpoint, NDManager m) {
        Path model = Path.of(cfg.model());
        DecoderLM student;
        DecoderLM teacher;
        if (cfg.lora().enabled()) {
            DecoderLM base = HfCheckpoint.load(model, m);
            LoraAdapters s = checkpoint == null ? LoraAdapters.initialise(base, cfg.lora(), m, cfg.seed())
                    : PeftAdapters.load(base, checkpoint.resolve(STUDENT_ADAPTER), m);
            LoraAdapters t = checkpoint == null ? s.copy(m) : PeftAdapters.load(base, checkpoint.resolve(TEACHER_ADAPTER), m);
            student = base.adapted(s);
            teacher = base.adapted(t);
        } else {
            // The teacher first: a half-precision teacher is converted before the student's fp32 weights exist.
            teacher = HfCheckpoint.load(checkpoint == null ? model : checkpoint.resolve("teacher"), m);
            if (cfg.memory().teacherHalf()) {
                teacher = teacher.inHalf();
            }
            student = HfCheckpoint.load(checkpoint == null ? model : checkpoint.resolve("model"), m);
        }
        return new TrainingModels(student.checkpointed(cfg.memory().checkpointActivations()), teacher);
    }

    /**
     * Writes {@code model} into {@code dir}: a HuggingFace directory, or for a LoRA model its
     * adapters as a PEFT directory over {@code base}.
     */
    static void save(DecoderLM model, Path dir, Path tokenizerDir, Path base, sdpo4j.lm.weights.SaveOptions options) {
        if (model.adaptation() instanceof LoraAdapters a) {
            PeftAdapters.save(a, dir, base.toString());
        } else {
            HfCheckpoint.save(model, dir, tokenizerDir, options);
        }
    }
}
