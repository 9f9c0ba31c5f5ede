package sdpo4j.lm.text.jinja;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into text and tag tokens the way Jinja2's lexer does with trim_blocks and
 * lstrip_blocks on (HuggingFace's settings): {@code -} on a tag strips all whitespace on that side,
 * {@code +} keeps it, the first newline after a block or comment tag is dropped, spaces and tabs
 * before a block or comment tag that starts a line are dropped, newlines are normalised to
 * {@code \n} and one trailing newline of the template is dropped.
 */
final class Lexer {
    private static final Pattern COMMENT_END = Pattern.compile("(?s)(.*?)(\\+#\\}|-#\\}\\s*|#\\}\\n?)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(-%\\}\\s*|%\\})", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RAW_END = Pattern.compile("(?s)(.*?)\\{%([-+]?)\\s*endraw\\s*(\\+%\\}|-%\\}\\s*|%\\}\\n?)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern NUMBER = Pattern.compile(
            "(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?[eE][+-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)?");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern STRING = Pattern.compile("(?s)'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"");
    private static final Pattern BLOCK_END = Pattern.compile("\\+%\\}|-%\\}\\s*|%\\}\\n?", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern VAR_END = Pattern.compile("-\\}\\}\\s*|\\}\\}", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String[] OPERATORS = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
        "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the last tag ended a line (Jinja2 lstrips a tag after it even with no newline in between). */
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalise(source);
    }

    static List<Token> tokenize(String source) {
        Lexer l = new Lexer(source);
        l.run();
        return l.out;
    }

    private static String normalise(String s) {
        String n = s.replace("\r\n", "\n").replace('\r', '\n');
        return n.endsWith("\n") ? n.substring(0, n.length() - 1) : n;
    }

    private void run() {
        while (pos < src.length()) {
            int at = nextTagStart(pos);
            if (at < 0) {
                emitData(src.substring(pos), src.substring(pos));
                pos = src.length();
                break;
            }
            char kind = src.charAt(at + 1);
            char sign = at + 2 < src.length() ? src.charAt(at + 2) : 0;
            if (sign != '-' && sign != '+') {
                sign = 0;
            }
            Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(at, src.length()) : null;
            boolean isRaw = raw != null && raw.lookingAt();
            String text = src.substring(pos, at);
            emitData(stripBefore(text, sign, kind != '{'), text);
            pos = at;
            if (isRaw) {
                lexRaw(raw);
            } else if (kind == '#') {
                lexComment(at + 2 + (sign != 0 ? 1 : 0));
            } else {
                lexTag(kind == '%', at + 2 + (sign != 0 ? 1 : 0));
            }
        }
        out.add(new Token(Token.Kind.EOF, "", line));
    }

    private int nextTagStart(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    private String stripBefore(String text, char sign, boolean blockOrComment) {
        if (sign == '-') {
            return PyStr.rstrip(text, null);
        }
        if (sign != '+' && blockOrComment) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && PyStr.strip(text.substring(lineStart), null).isEmpty()) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    /** Emits what is left of {@code original} after whitespace control; lines count the original. */
    private void emitData(String text, String original) {
        if (!text.isEmpty()) {
            out.add(new Token(Token.Kind.DATA, text, line));
        }
        line += count(original);
    }

    private void advanceTo(int end) {
        line += count(src.substring(pos, end));
        pos = end;
    }

    private void lexRaw(Matcher begin) {
        int startLine = line;
        advanceTo(begin.end());
        Matcher end = RAW_END.matcher(src).region(pos, src.length());
        if (!end.lookingAt()) {
            throw new TemplateError("Missing end of raw directive", startLine, false);
        }
        String body = end.group(1);
        String sign = end.group(2);
        if (sign.equals("-")) {
            body = PyStr.rstrip(body, null);
        } else if (!sign.equals("+")) {
            int lineStart = body.lastIndexOf('\n') + 1;
            if (lineStart > 0 && lineStart < body.length() && PyStr.strip(body.substring(lineStart), null).isEmpty()) {
                body = body.substring(0, lineStart);
            }
        }
        if (!body.isEmpty()) {
            out.add(new Token(Token.Kind.DATA, body, line));
        }
        lineStarting = end.group().endsWith("\n");
        advanceTo(end.end());
    }

    private void lexComment(int bodyStart) {
        Matcher m = COMMENT_END.matcher(src).region(bodyStart, src.length());
        if (!m.lookingAt()) {
            throw new TemplateError("Missing end of comment tag", line, false);
        }
        lineStarting = m.group().endsWith("\n");
        advanceTo(m.end());
    }

    private void lexTag(boolean block, int start) {
        out.add(new Token(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VAR_BEGIN, "", line));
        int tagLine = line;
        advanceTo(start);
        Deque<Character> balance = new ArrayDeque<>();
        Matcher m = SPACE.matcher(src);
        while (true) {
            if (pos >= src.length()) {
                throw new TemplateError("unexpected end of template, expected end of " + (block ? "block" : "print")
                        + " statement", tagLine, false);
            }
            if (balance.isEmpty()) {
                Matcher end = (block ? BLOCK_END : VAR_END).matcher(src).region(pos, src.length());
                if (end.lookingAt()) {
                    out.add(new Token(block ? Token.Kind.BLOCK_END : Token.Kind.VAR_END, "", line));
                    lineStarting = end.group().endsWith("\n");
                    advanceTo(end.end());
                    return;
                }
            }
            if (m.region(pos, src.length()).lookingAt()) {
                advanceTo(m.end());
                continue;
            }
            char c = src.charAt(pos);
            if (Character.isDigit(c)) {
                Matcher n = NUMBER.matcher(src).region(pos, src.length());
                n.lookingAt();
                String text = n.group().replace("_", "");
                boolean isFloat = text.contains(".") || text.contains("e") || text.contains("E");
                out.add(new Token(isFloat ? Token.Kind.FLOAT : Token.Kind.INT, text, line));
                advanceTo(n.end());
            } else if (c == '_' || Character.isLetter(c)) {
                Matcher n = NAME.matcher(src).region(pos, src.length());
                if (!n.lookingAt()) {
                    throw new TemplateError("unexpected char '" + c + "'", line, false);
                }
                out.add(new Token(Token.Kind.NAME, n.group(), line));
                advanceTo(n.end());
            } else if (c == '\'' || c == '"') {
                Matcher s = STRING.matcher(src).region(pos, src.length());
                if (!s.lookingAt()) {
                    throw new TemplateError("unexpected end of string", line, false);
                }
                String body = s.group(1) != null ? s.group(1) : s.group(2);
                out.add(new Token(Token.Kind.STRING, PyStr.unescape(body), line));
                advanceTo(s.end());
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new TemplateError("unexpected char '" + c + "'", line, false);
                }
                switch (op) {
                    case "(" -> balance.push(')');
                    case "[" -> balance.push(']');
                    case "{" -> balance.push('}');
                    case ")", "]", "}" -> {
                        if (balance.isEmpty() || balance.pop() != op.charAt(0)) {
                            throw new TemplateError("unexpected '" + op + "'", line, false);
                        }
                    }
                    default -> { }
                }
                out.add(new Token(Token.Kind.OP, op, line));
                advanceTo(pos + op.length());
            }
        }
    }

    private static int count(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
