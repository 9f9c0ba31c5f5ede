package sdpo4j.env;

import sdpo4j.config.Check;
import sdpo4j.config.ConfigException;
import sdpo4j.env.arithmetic.ArithmeticConfig;
import sdpo4j.env.sequence.SequenceQuality;
import sdpo4j.env.sequence.WorldConfig;

/**
 * Which environment a run scores with, and its settings: the {@code env:} section of a
 * training config.
 *
 * @param name one of {@link Environments#NAMES}
 * @param arithmetic arithmetic settings
 * @param countdownPartialCredit reward of a valid countdown equation that misses the target
 * @param sequenceOracle feedback the sequence-quality environment renders
 * @param sequenceSigma the sequence-quality judge's noise
 * @param successThreshold reward at or above which a sequence-quality response counts as a success
 * @param python the python interpreter of the python-tests sandbox
 */
public record EnvConfig(
        String name,
        ArithmeticConfig arithmetic,
        double countdownPartialCredit,
        SequenceQuality.Oracle sequenceOracle,
        double sequenceSigma,
        double successThreshold,
        String python) {

    public static final EnvConfig DEFAULT = new EnvConfig("arithmetic", ArithmeticConfig.DEFAULT, 0.0,
            SequenceQuality.Oracle.CONTINUOUS, 0.0, 0.7, "/usr/bin/python3");

    public EnvConfig {
        Check.oneOf("name", name, Environments.NAMES);
        if (arithmetic == null) {
            throw new ConfigException("arithmetic", null, "a section of keys");
        }
        Check.inRange("countdown-partial-credit", countdownPartialCredit, 0, 0.999);
        Check.nonNegative("sequence-sigma", sequenceSigma);
        Check.inRange("success-threshold", successThreshold, 0, 1);
        if (sequenceOracle == null) {
            throw new ConfigException("sequence-oracle", null, "one of [binary, ordinal, continuous, critique]");
        }
    }

    WorldConfig world() {
        return WorldConfig.DEFAULT;
    }
}
