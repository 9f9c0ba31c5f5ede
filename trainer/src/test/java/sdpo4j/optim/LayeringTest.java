package sdpo4j.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The optimizer layer depends on DJL and the config conventions, never on a backend. */
class LayeringTest {
    static final Pattern PROJECT_REFERENCE = Pattern.compile("\\bsdpo4j\\.(\\w+)");

    @Test
    void optimImportsNoBackend() throws IOException {
        Path dir = Path.of("src/main/java/sdpo4j/optim");
        assertTrue(Files.isDirectory(dir), "run from the trainer module: " + dir.toAbsolutePath());
        List<Path> sources;
        try (var files = Files.list(dir)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 10);
        for (Path source : sources) {
            Matcher m = PROJECT_REFERENCE.matcher(Files.readString(source));
            while (m.find()) {
                String pkg = m.group(1);
                assertTrue(pkg.equals("optim") || pkg.equals("config"),
                        source.getFileName() + " refers to sdpo4j." + pkg + ": the optimizer layer may use only sdpo4j.config");
            }
        }
    }
}
