package sdpo4j.train;

import java.util.List;
import sdpo4j.config.Doc;
import sdpo4j.lm.text.ChatOptions;

/**
 * How prompts and teacher contexts are put through the model's chat template (the {@code chat:}
 * section): both get the same system turn and template variables, around their own user turn.
 * A model without a chat template (a base model, the built-in one) gets the plain
 * {@code role: content} lines. Each key's default and meaning: {@link Builder}.
 */
public record ChatConfig(String systemPrompt, List<String> templateVariables) {
    public static final ChatConfig DEFAULT = builder().build();

    public ChatConfig {
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        templateVariables = templateVariables == null ? List.of() : List.copyOf(templateVariables);
        ChatOptions.parseVariables("template-variables", templateVariables); // refused now, not at the first prompt
    }

    /** The options every prompt is rendered with. */
    public ChatOptions options() {
        return new ChatOptions(systemPrompt, ChatOptions.parseVariables("template-variables", templateVariables));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().systemPrompt(systemPrompt).templateVariables(templateVariables);
    }

    /** The keys with their defaults; {@link #build} checks them. */
    public static final class Builder {
        @Doc("content of a system turn put before every prompt and teacher context; empty = no system turn (the "
                + "template's own default, e.g. Qwen2.5's)")
        private String systemPrompt = "";
        @Doc("extra chat-template variables as `NAME=VALUE` (VALUE read as JSON, else a string), e.g. "
                + "`[enable_thinking=false]` for Qwen3 without its thinking block")
        private List<String> templateVariables = List.of();

        private Builder() {}

        public Builder systemPrompt(String v) {
            systemPrompt = v;
            return this;
        }

        public Builder templateVariables(List<String> v) {
            templateVariables = v;
            return this;
        }

        public ChatConfig build() {
            return new ChatConfig(systemPrompt, templateVariables);
        }
    }
}
