package sdpo4j.discover;

/** How the attempts of a round are made (the {@code methods} key; YAML spells them in kebab case). */
public enum DiscoveryMethod {
    /** One SDPO step on the question after each failed round, on weights thrown away after it. */
    SDPO,
    /** Independent samples from the unchanged model. */
    BEST_OF_K,
    /** Per attempt slot, a conversation: its last attempt and that attempt's feedback appended, the model asked again. */
    MULTI_TURN;

    /** The report's and the log's name. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
