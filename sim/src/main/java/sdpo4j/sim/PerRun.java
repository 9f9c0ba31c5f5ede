package sdpo4j.sim;

/** Per-run settings as tensors take them: the cohort and its oracles both build per-run columns. */
final class PerRun {
    private PerRun() {}

    /** Per-run settings as the float32 the tensors use. */
    static float[] float32(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
