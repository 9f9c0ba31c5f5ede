package sdpo4j.bridge;

import sdpo4j.lm.text.Tokenizer;

/**
 * Where a response writes its symbols. A well-formed response is {@code T} letters separated by
 * single spaces (then EOS); the bridge's per-position metrics are read at the letter positions,
 * over the {@code V} letter tokens, so that they compare with the simulator's {@code [T, V]}.
 */
final class LetterLayout {
    private final long[] letterIds;
    private final long spaceId;
    private final int length;

    LetterLayout(Tokenizer tokenizer, int vocab, int length) {
        this.letterIds = new long[vocab];
        for (int v = 0; v < vocab; v++) {
            letterIds[v] = single(tokenizer, String.valueOf((char) ('A' + v)));
        }
        this.spaceId = single(tokenizer, " ");
        this.length = length;
    }

    private static long single(Tokenizer tokenizer, String text) {
        long[] ids = tokenizer.encode(text);
        if (ids.length != 1) {
            throw new IllegalStateException("the tokenizer splits '" + text + "' into " + ids.length
                    + " tokens; the bridge needs one token per symbol (the project's byte-level tokenizer)");
        }
        return ids[0];
    }

    long[] letterIds() {
        return letterIds;
    }

    /** Token ids of symbols {@code s} written out (no EOS). */
    long[] encode(int[] s) {
        long[] ids = new long[2 * s.length - 1];
        for (int t = 0; t < s.length; t++) {
            ids[2 * t] = letterIds[s[t]];
            if (t + 1 < s.length) {
                ids[2 * t + 1] = spaceId;
            }
        }
        return ids;
    }

    /**
     * Response index of each symbol, or null when the response is not well-formed: letter,
     * space, letter, ... ({@code T} letters), followed by nothing or by one more token (EOS).
     */
    int[] positions(long[] tokens) {
        if (tokens.length < 2 * length - 1 || tokens.length > 2 * length) {
            return null;
        }
        int[] at = new int[length];
        for (int t = 0; t < length; t++) {
            if (symbol(tokens[2 * t]) < 0 || (t + 1 < length && tokens[2 * t + 1] != spaceId)) {
                return null;
            }
            at[t] = 2 * t;
        }
        return at;
    }

    /** The symbol a token writes, or -1. */
    int symbol(long token) {
        for (int v = 0; v < letterIds.length; v++) {
            if (letterIds[v] == token) {
                return v;
            }
        }
        return -1;
    }
}
