package sdpo4j.compare;

import java.util.regex.Pattern;
import sdpo4j.config.ConfigException;
import sdpo4j.train.TrainConfig;

/**
 * One configuration of a comparison, trained once per seed in {@code <label>-seed<seed>/}: a
 * method of {@code compare}, or one ablation of {@code ablate}.
 *
 * @param label     its name in run directories and the report
 * @param train     its run (the seed is replaced per run)
 * @param reference the label of the arm it is paired against, or null for none
 * @param ablation  what an ablation varies (e.g. "EMA rate"), or null for a plain method
 * @param setting   the value this arm gives it (e.g. "0: the initial model, frozen"), or null
 * @param changes   the keys it sets away from the shared run, {@code key: value, ...}, or null
 */
public record Arm(String label, TrainConfig train, String reference, String ablation, String setting, String changes) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public Arm {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new ConfigException("label", label, "lower-case letters, digits, '.', '_' and '-' (a directory name)");
        }
        if (train == null) {
            throw new ConfigException("train", null, "a section of training keys");
        }
        if (label.equals(reference)) {
            throw new ConfigException("reference", reference, "another arm than " + label + " itself");
        }
    }

    /** A method of {@code compare}: only the objective's name differs from the shared run. */
    static Arm method(String label, TrainConfig train, String reference) {
        return new Arm(label, train, reference, null, null, null);
    }
}
