package sdpo4j.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * The self-teacher's weights as an exponential moving average of the student's (SPEC 3):
 * {@code t <- (1 - r) * t + r * s}, in place. The teacher owns its own storage: it is built by
 * cloning the student, never by viewing it, so a student update cannot leak into the teacher
 * before the EMA step says so.
 *
 * <p>A teacher array stored in fp16 ({@code memory.teacher-half}) is averaged in fp32 and
 * rounded back stochastically ({@link StochasticRounding}): one step's change is usually below
 * half of fp16's spacing, and round-to-nearest would drop it. Big arrays go in row chunks, so
 * the fp32 working copy is a few MiB, not the size of the embedding.
 */
public final class EmaTeacher {
    private final List<NDArray> teacher;
    private final List<NDArray> student;

    private EmaTeacher(List<NDArray> teacher, List<NDArray> student) {
        this.teacher = teacher;
        this.student = student;
    }

    /** A teacher that starts as a copy of {@code student}, its arrays attached to {@code manager}. */
    public static EmaTeacher copyOf(List<NDArray> student, NDManager manager) {
        List<NDArray> copies = new ArrayList<>(student.size());
        for (NDArray s : student) {
            NDArray t = s.stopGradient().duplicate();
            t.attach(manager);
            copies.add(t);
        }
        return new EmaTeacher(copies, List.copyOf(student));
    }

    /**
     * Pairs existing teacher arrays (for example the parameters of a second model instance)
     * with the student's. Shapes must match one to one and no array may be shared.
     */
    public static EmaTeacher pairing(List<NDArray> teacher, List<NDArray> student) {
        // Same shapes; the teacher may be stored in fp16 (memory.teacher-half).
        if (teacher.size() != student.size()) {
            throw new IllegalArgumentException(
                    "teacher has " + teacher.size() + " arrays but student has " + student.size());
        }
        for (int i = 0; i < teacher.size(); i++) {
            NDArray t = teacher.get(i);
            NDArray s = student.get(i);
            if (t == s || t.getUid().equals(s.getUid())) {
                throw new IllegalArgumentException("teacher array " + i + " is the student's own array");
            }
            if (!t.getShape().equals(s.getShape())) {
                throw new IllegalArgumentException(
                        "teacher array " + i + " has shape " + t.getShape() + " but student has " + s.getShape());
            }
        }
        return new EmaTeacher(List.copyOf(teacher), List.copyOf(student));
    }

    /** One EMA step with rate {@code r} in [0, 1]; r = 1 copies the student. Call outside any gradient collector. */
    public void update(double r) {
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException("EMA rate must be in [0, 1], got " + r);
        }
        for (int i = 0; i < teacher.size(); i++) {
            NDArray t = teacher.get(i);
            if (t.getDataType() == DataType.FLOAT16) {
                updateHalf(t, student.get(i), r);
                continue;
            }
            try (NDArray detached = student.get(i).stopGradient(); NDArray scaled = detached.mul(r)) {
                t.muli(1 - r).addi(scaled);
            }
        }
    }

    private static void updateHalf(NDArray t, NDArray s, double r) {
        for (NDIndex part : RowChunks.of(t.getShape(), RowChunks.DEFAULT)) {
            // The scope also closes the arrays DJL makes inside get and set (two a slice, left on the
            // models' manager): without it a 0.5B teacher's update kept about 2.5 GB for the run.
            try (NDScope scope = new NDScope();
                    NDArray tp = t.get(part);
                    NDArray t32 = tp.toType(DataType.FLOAT32, false);
                    NDArray sp = s.get(part);
                    NDArray detached = sp.stopGradient();
                    NDArray scaled = detached.mul(r)) {
                // t32 is a fresh copy (fp16 to fp32), so averaging in place touches nothing else.
                t32.muli(1 - r).addi(scaled);
                try (NDArray rounded = StochasticRounding.toHalf(t32)) {
                    t.set(part, rounded);
                }
            }
        }
    }

    /** The teacher's arrays, in the student's order. */
    public List<NDArray> parameters() {
        return teacher;
    }
}
