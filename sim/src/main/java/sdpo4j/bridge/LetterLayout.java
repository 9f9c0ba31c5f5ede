package sdpo4j.bridge;

import java.util.Arrays;
import sdpo4j.lm.text.Tokenizer;

/**
 * Where a response writes its symbols. A well-formed response is the text of {@code T} letters
 * separated by single spaces (then EOS); the bridge's per-position metrics are read at the letter
 * tokens, over the {@code V} letter tokens of that position, so that they compare with the
 * simulator's {@code [T, V]}. How the text is tokenized is the model's own tokenizer's: the
 * project's byte-level one writes letter, space, letter ({@code 2T - 1} tokens); the BPE and
 * SentencePiece tokenizers of released checkpoints write the space into the next letter
 * ({@code A}, {@code " B"}, ...: {@code T} tokens), so a later position has its own letter ids.
 */
final class LetterLayout {
    /** Per symbol position, the id of each letter there. */
    private final long[][] letterIds;
    /** The separate space token, or -1 when each later letter carries its space. */
    private final long spaceId;
    private final int length;

    LetterLayout(Tokenizer tokenizer, int vocab, int length) {
        this.length = length;
        this.letterIds = new long[length][vocab];
        long space = -1;
        boolean merged = false;
        for (int v = 0; v < vocab; v++) {
            String letter = String.valueOf((char) ('A' + v));
            letterIds[0][v] = single(tokenizer, letter, letter);
            long[] spaced = tokenizer.encode(" " + letter);
            boolean thisMerged = spaced.length == 1;
            if (!thisMerged && !(spaced.length == 2 && spaced[1] == letterIds[0][v])) {
                throw new IllegalStateException("the tokenizer writes ' " + letter + "' as " + Arrays.toString(spaced)
                        + "; the bridge needs a letter after a space to be one token, or a space token and the letter's");
            }
            if (v > 0 && thisMerged != merged) {
                throw new IllegalStateException("the tokenizer writes some letters after a space as one token and others as two"
                        + " ('" + letter + "'); the bridge needs one layout for all " + vocab);
            }
            merged = thisMerged;
            if (!merged) {
                space = single(tokenizer, " ", "a space");
            }
            for (int t = 1; t < length; t++) {
                letterIds[t][v] = merged ? spaced[0] : letterIds[0][v];
            }
        }
        this.spaceId = space;
        checkWholeResponse(tokenizer);
    }

    private static long single(Tokenizer tokenizer, String text, String what) {
        long[] ids = tokenizer.encode(text);
        if (ids.length != 1) {
            throw new IllegalStateException("the tokenizer splits " + what + " into " + ids.length
                    + " tokens; the bridge needs one token per symbol");
        }
        return ids[0];
    }

    /** A whole response tokenizes as the pieces do (no merge across a letter and its neighbours). */
    private void checkWholeResponse(Tokenizer tokenizer) {
        int[] s = new int[length];
        StringBuilder text = new StringBuilder();
        for (int t = 0; t < length; t++) {
            s[t] = (t * 3) % letterIds[0].length;
            text.append(t > 0 ? " " : "").append((char) ('A' + s[t]));
        }
        long[] whole = tokenizer.encode(text.toString());
        if (!Arrays.equals(whole, encode(s))) {
            throw new IllegalStateException("the tokenizer writes '" + text + "' as " + Arrays.toString(whole) + ", not letter by "
                    + "letter (" + Arrays.toString(encode(s)) + "); the bridge needs one token per symbol");
        }
    }

    /** The ids of the {@code V} letters at symbol position {@code t}. */
    long[] letterIds(int t) {
        return letterIds[t];
    }

    /** Tokens of a well-formed response (no EOS): {@code 2T - 1} with a separate space token, else {@code T}. */
    int responseLength() {
        return spaceId >= 0 ? 2 * length - 1 : length;
    }

    /** The response index of symbol position {@code t}. */
    int index(int t) {
        return spaceId >= 0 ? 2 * t : t;
    }

    /** Token ids of symbols {@code s} written out (no EOS). */
    long[] encode(int[] s) {
        long[] ids = new long[responseLength()];
        for (int t = 0; t < s.length; t++) {
            ids[index(t)] = letterIds[t][s[t]];
            if (spaceId >= 0 && t + 1 < s.length) {
                ids[index(t) + 1] = spaceId;
            }
        }
        return ids;
    }

    /**
     * Response index of each symbol, or null when the response is not well-formed: its {@code T}
     * letters as {@link #encode} writes them, followed by nothing or by one more token (EOS).
     */
    int[] positions(long[] tokens) {
        if (tokens.length < responseLength() || tokens.length > responseLength() + 1) {
            return null;
        }
        int[] at = new int[length];
        for (int t = 0; t < length; t++) {
            if (symbol(t, tokens[index(t)]) < 0 || (spaceId >= 0 && t + 1 < length && tokens[index(t) + 1] != spaceId)) {
                return null;
            }
            at[t] = index(t);
        }
        return at;
    }

    /** The symbol a token writes at symbol position {@code t}, or -1. */
    int symbol(int t, long token) {
        for (int v = 0; v < letterIds[t].length; v++) {
            if (letterIds[t][v] == token) {
                return v;
            }
        }
        return -1;
    }
}
