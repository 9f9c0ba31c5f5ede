package sdpo4j.lm.model;

/** RoPE inverse frequencies, with HuggingFace's linear and llama3 scalings. */
final class Rope {
    private Rope() {}

    static float[] inverseFrequencies(ModelConfig cfg) {
        int d = cfg.headDim();
        float[] inv = new float[d / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = (float) (1.0 / Math.pow(cfg.ropeTheta(), (2.0 * i) / d));
        }
        ModelConfig.RopeScaling s = cfg.ropeScaling();
        if (s == null) {
            return inv;
        }
        if (s.type().equals("linear")) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] /= (float) s.factor();
            }
            return inv;
        }
        // llama3: long wavelengths are scaled by the factor, short ones kept, smooth in between.
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen) {
                inv[i] = (float) (inv[i] / s.factor());
            } else if (wavelen >= highWavelen) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                inv[i] = (float) ((1 - smooth) * inv[i] / s.factor() + smooth * inv[i]);
            }
        }
        return inv;
    }
}
