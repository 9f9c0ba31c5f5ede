package sdpo4j.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import sdpo4j.config.ConfigDiff;
import sdpo4j.config.ConfigException;
import sdpo4j.config.ConfigLoader;

/**
 * A directory of ablations ({@code configs/ablations/}): {@code base.yaml}, a comparison config
 * whose shared run every ablation starts from and whose methods are the references (SDPO's
 * default, GRPO...), and one {@link Ablation} per other {@code *.yaml} file, named by the file.
 * Everything is read and checked before any run starts.
 *
 * @param base the comparison: statistics settings, seeds and the shared run
 * @param arms the base's methods, then one arm per ablation file in file-name order
 */
public record AblationSet(CompareConfig base, List<Arm> arms) {
    public static final String BASE = "base.yaml";

    /** Reads {@code dir}; {@code sets} ({@code key=value}) override keys of {@code base.yaml}, and so every ablation's run. */
    public static AblationSet load(Path dir, List<String> sets) {
        if (!Files.isDirectory(dir)) {
            throw ConfigException.general(dir.toString(), "no such directory (an ablation set is a directory holding "
                    + BASE + " and one YAML file per ablation)");
        }
        Path baseFile = dir.resolve(BASE);
        if (!Files.isRegularFile(baseFile)) {
            throw ConfigException.general(baseFile.toString(), "missing: the set's shared run, seeds and reference methods "
                    + "(a compare config)");
        }
        CompareConfig base = ConfigLoader.load(CompareConfig.class, CompareConfig.DEFAULT, baseFile, sets);
        List<Arm> arms = new ArrayList<>(Comparison.methodArms(base));
        Set<String> labels = new LinkedHashSet<>();
        arms.forEach(a -> labels.add(a.label()));
        List<Path> files = ablationFiles(dir);
        if (files.isEmpty()) {
            throw ConfigException.general(dir.toString(), "no ablation files (*.yaml besides " + BASE + ")");
        }
        Ablation defaults = Ablation.DEFAULT.withTrain(base.train());
        for (Path f : files) {
            String name = f.getFileName().toString();
            String label = name.substring(0, name.length() - ".yaml".length());
            Ablation a = ConfigLoader.load(Ablation.class, defaults, f, List.of());
            if (a.ablation() == null || a.ablation().isEmpty() || a.setting() == null || a.setting().isEmpty()) {
                throw ConfigException.general(f.toString(), "'ablation' and 'setting' are required: what the file varies "
                        + "and the value it tries, e.g. ablation: EMA rate, setting: 0 (frozen initial teacher)");
            }
            if (!labels.add(label)) {
                throw ConfigException.general(f.toString(), "the arm name '" + label + "' is already a method of " + BASE
                        + "; rename the file");
            }
            try {
                arms.add(new Arm(label, a.train(), a.reference(), a.ablation(), a.setting(),
                        String.join(", ", ConfigDiff.changes(base.train(), a.train()))));
            } catch (ConfigException e) {
                throw e.located(f.toString(), null);
            }
        }
        for (Arm a : arms) {
            if (a.reference() != null && !labels.contains(a.reference())) {
                throw ConfigException.general(dir.resolve(a.label() + ".yaml").toString(), "key 'reference': value '"
                        + a.reference() + "' names no arm; allowed: one of " + labels);
            }
        }
        return new AblationSet(base, List.copyOf(arms));
    }

    private static List<Path> ablationFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml") && !p.getFileName().toString().equals(BASE))
                    .sorted().toList();
        } catch (IOException e) {
            throw ConfigException.general(dir.toString(), "cannot list: " + e.getMessage());
        }
    }
}
