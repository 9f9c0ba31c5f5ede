package sdpo4j.lm.text.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One small template per Jinja2 feature that chat templates use, each against Jinja2's own render
 * (features.json, written by render_chat_goldens.py). A case Jinja2 rejects must be an error here
 * too, and raise_exception must carry the template's message.
 */
class JinjaFeaturesTest {
    /** The instant the goldens were rendered at (render_chat_goldens.py FIXED_NOW). */
    static final Supplier<LocalDateTime> FIXED_NOW = () -> LocalDateTime.of(2026, 3, 14, 15, 9, 26);

    @TestFactory
    List<DynamicTest> everyFeatureRendersAsJinja2() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/features.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String source = c.get("template").asText();
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) JsonValues.of(c.get("context"));
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                if (c.has("output")) {
                    assertEquals(c.get("output").asText(), JinjaTemplate.parse(source, FIXED_NOW).render(context), source);
                } else {
                    TemplateError e = assertThrows(TemplateError.class,
                            () -> JinjaTemplate.parse(source, FIXED_NOW).render(context), source);
                    if (c.get("error_type").asText().equals("TemplateError")) {
                        assertTrue(e.raised());
                        assertEquals(c.get("error").asText(), e.detail());
                    }
                    assertTrue(e.line() > 0, "an error names its line: " + e.getMessage());
                }
            }));
        }
        return tests;
    }

    /** Seeded random templates (fuzz.json): whitespace control signs, trim/lstrip, loops, sets and scoping. */
    @Test
    void randomTemplatesRenderAsJinja2() throws Exception {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/fuzz.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String source = c.get("template").asText();
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) JsonValues.of(root.get("context"));
            String got;
            try {
                got = JinjaTemplate.parse(source, FIXED_NOW).render(context);
            } catch (TemplateError e) {
                got = null;
            }
            boolean same = c.has("output") ? c.get("output").asText().equals(got) : got == null;
            if (!same) {
                mismatches.add(c.get("name").asText() + ": " + source);
            }
        }
        assertEquals(List.of(), mismatches);
    }

    /** Outside the subset: an error at the feature's line, never an output that might differ from Jinja2's. */
    @Test
    void unsupportedFeaturesAreErrorsAtTheirLine() {
        List<String> unsupported = List.of("{% extends 'base' %}", "{% include 'part' %}", "{% import 'm' as m %}",
                "{% call m() %}x{% endcall %}", "{% filter upper %}x{% endfilter %}", "{% with a = 1 %}{{ a }}{% endwith %}",
                "{% for x in l recursive %}{{ x }}{% endfor %}", "{{ '%s' % 1 }}", "{{ 'a b'.split(' ', maxsplit=1) }}",
                "{{ '{}'.format(1) }}", "{{ l|unique(attribute='a') }}", "{{ l|batch(2) }}", "{{ range(*l) }}",
                "{{ l[1, 2] }}", "{{ lipsum() }}", "{% block b %}x{% endblock %}", "{{ l.append(4) }}", "{{ 2 ** 100 }}");
        for (String source : unsupported) {
            TemplateError e = assertThrows(TemplateError.class,
                    () -> JinjaTemplate.parse("line one\n" + source, FIXED_NOW).render(Map.of("l", List.of(1L, 2L))), source);
            assertEquals(2, e.line(), source + ": " + e.getMessage());
        }
    }

    @Test
    void errorsNameTheTemplateLine() {
        TemplateError e = assertThrows(TemplateError.class, () -> JinjaTemplate.parse("a\n{% if x %}\n{{ y.z }}\n{% endif %}",
                FIXED_NOW).render(Map.of("x", true)));
        assertEquals(3, e.line());
        e = assertThrows(TemplateError.class, () -> JinjaTemplate.parse("a\n\n{% frobnicate %}", FIXED_NOW));
        assertEquals(3, e.line());
    }
}
