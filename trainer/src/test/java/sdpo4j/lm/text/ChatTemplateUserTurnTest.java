package sdpo4j.lm.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ChatTemplate#renderUserTurn} (which skips the template when it puts the content in
 * verbatim) against a full render, on templates that do and do not rewrite their content.
 */
class ChatTemplateUserTurnTest {
    private static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' "
            + "+ message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @Test
    void verbatimTemplatesAreWrappedAndAgreeWithARenderOnAnyContent() {
        for (ChatTemplate t : List.of(template(CHATML), ChatTemplate.of(null),
                template("{{ bos_token }}{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}[/]{% endfor %}"
                        + "{% if add_generation_prompt %}[assistant]{% endif %}"))) {
            assertTrue(t.wrapsUserTurn());
            Random rnd = new Random(7);
            for (int i = 0; i < 300; i++) {
                String content = content(rnd);
                assertEquals(t.render(List.of(new ChatTemplate.Message("user", content)), true), t.renderUserTurn(content),
                        "content " + content);
            }
        }
    }

    @Test
    void templateSyntaxInAMessageIsText() {
        // Jinjava's nested interpretation rendered it: "{{ 1 + 2 }}" became "3".
        ChatTemplate t = template(CHATML);
        for (String content : List.of("{{ 1 + 2 }}", "a {% if true %}X{% endif %}", "{# c #}{{ bos_token }}")) {
            assertEquals("<|im_start|>user\n" + content + "<|im_end|>\n<|im_start|>assistant\n",
                    t.render(List.of(new ChatTemplate.Message("user", content)), true));
        }
    }

    @Test
    void templatesThatRewriteOrBranchOnTheContentAreRenderedEachTime() {
        List<String> sources = List.of(
                CHATML.replace("message['content']", "message['content'] | trim"),
                CHATML.replace("message['content']", "message['content'] | e"),
                CHATML.replace("message['content']", "message['content'] | lower"),
                // Branches on the content (a probe has a space, this one not).
                "{% for m in messages %}{% if ' ' in m['content'] %}{{ m['content'] }}{% else %}<{{ m['content'] }}>{% endif %}"
                        + "{% endfor %}");
        Random rnd = new Random(8);
        for (String source : sources) {
            ChatTemplate t = template(source);
            assertFalse(t.wrapsUserTurn(), source);
            for (int i = 0; i < 50; i++) {
                String content = content(rnd);
                assertEquals(t.render(List.of(new ChatTemplate.Message("user", content)), true), t.renderUserTurn(content));
            }
        }
    }

    private static ChatTemplate template(String source) {
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.put("chat_template", source);
        config.put("bos_token", "<s>");
        return ChatTemplate.of(config);
    }

    /** Random text with what templates might act on: whitespace at the ends, markup, braces, case. */
    private static String content(Random rnd) {
        String alphabet = " \n\tabcXYZ019<>&'\"{}%#|=+-";
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
