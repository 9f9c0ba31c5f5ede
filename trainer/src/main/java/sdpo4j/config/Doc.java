package sdpo4j.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a config key means, written on the builder field that holds the key's default, so that
 * the default and its meaning sit side by side, once. {@link ConfigDocs} renders both into the
 * docs' key tables (Markdown: write {@code `code`}, not Javadoc tags).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Doc {
    String value();
}
