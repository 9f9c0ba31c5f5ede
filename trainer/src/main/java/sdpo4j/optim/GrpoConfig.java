package sdpo4j.optim;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;

/**
 * GRPO baseline settings (SPEC 5).
 *
 * @param scaleStd divide the group-centred reward by the group std (off gives Dr.GRPO)
 * @param epsLow lower clip range of the importance ratio, {@code 1 - epsLow}
 * @param epsHigh upper clip range, {@code 1 + epsHigh}
 * @param klBeta coefficient of the k3 KL to a frozen reference; 0 disables it
 * @param aggregation token-mean over the batch or seq-mean-token-mean
 */
public record GrpoConfig(boolean scaleStd, double epsLow, double epsHigh, double klBeta, Aggregation aggregation) {

    public static final GrpoConfig DEFAULT = new GrpoConfig(true, 0.2, 0.2, 0.0, Aggregation.TOKEN_MEAN);

    public GrpoConfig {
        Check.inRange("eps-low", epsLow, 0, 0.999);
        Check.nonNegative("eps-high", epsHigh);
        Check.nonNegative("kl-beta", klBeta);
        if (aggregation == null) {
            throw new ConfigException("aggregation", null, "one of [token-mean, seq-mean-token-mean]");
        }
    }
}
