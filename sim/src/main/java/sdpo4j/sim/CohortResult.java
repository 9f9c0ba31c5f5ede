package sdpo4j.sim;

import java.util.List;

/**
 * Per-step metrics of a batch of runs: {@code [step][run]}.
 *
 * @param runs the runs, in column order
 * @param reward mean true reward of the step's rollouts
 * @param entropy policy entropy, mean over positions
 * @param credit credit-assignment correlation of the update direction, mean over positions
 * @param teacherKl mean forward KL(teacher || student) (NaN for methods without a teacher)
 * @param alpha the hybrid's weight on distillation (NaN for other methods)
 */
public record CohortResult(
        List<RunSpec> runs, float[][] reward, float[][] entropy, float[][] credit, float[][] teacherKl, float[][] alpha) {}
