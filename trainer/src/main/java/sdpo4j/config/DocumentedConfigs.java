package sdpo4j.config;

import java.util.List;

/**
 * Contributes documented configs to {@link ConfigDocs} through {@link java.util.ServiceLoader},
 * as {@code SubcommandProvider} contributes commands, so that the simulator module adds its
 * own. Register implementations in {@code META-INF/services/sdpo4j.config.DocumentedConfigs}.
 */
public interface DocumentedConfigs {
    List<ConfigDocs.Section> sections();
}
