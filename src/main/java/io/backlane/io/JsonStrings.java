package io.backlane.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A list of strings as a JSON array ({@code ["a", "b"]}): how ONNX metadata values carry the feature
 * names and class labels, since {@code metadata_props} maps strings to strings. Just this one JSON
 * shape, so that the library needs no JSON dependency.
 */
final class JsonStrings {
    private JsonStrings() {
    }

    static String encode(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "\"" : ", \"");
            for (char c : values.get(i).toCharArray()) {
                switch (c) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    case '\n' -> s.append("\\n");
                    case '\r' -> s.append("\\r");
                    case '\t' -> s.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            s.append(String.format("\\u%04x", (int) c));
                        } else {
                            s.append(c);
                        }
                    }
                }
            }
            s.append('"');
        }
        return s.append(']').toString();
    }

    /**
     * Parses a JSON array of strings.
     *
     * @throws IllegalArgumentException saying what is wrong and where (a character index), for the
     *                                  caller to report with the metadata key
     */
    static List<String> decode(String json) {
        List<String> values = new ArrayList<>();
        int[] at = {skipSpace(json, 0)};
        expect(json, at, '[');
        if (peek(json, at) == ']') {
            at[0]++;
        } else {
            while (true) {
                values.add(string(json, at));
                char c = peek(json, at);
                at[0]++;
                if (c == ']') {
                    break;
                }
                if (c != ',') {
                    throw new IllegalArgumentException("expected ',' or ']' at character " + (at[0] - 1));
                }
            }
        }
        if (skipSpace(json, at[0]) != json.length()) {
            throw new IllegalArgumentException("text after the array at character " + at[0]);
        }
        return values;
    }

    private static String string(String json, int[] at) {
        expect(json, at, '"');
        int start = at[0] - 1;
        StringBuilder s = new StringBuilder();
        int i = at[0];
        while (true) {
            if (i >= json.length()) {
                throw new IllegalArgumentException("unterminated string");
            }
            char c = json.charAt(i++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in a string at character " + (i - 1));
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (i >= json.length()) {
                throw new IllegalArgumentException("unterminated escape");
            }
            char e = json.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (i + 4 > json.length()) {
                        throw new IllegalArgumentException("unterminated \\u escape");
                    }
                    // Exactly four ASCII hex digits, as JSON requires (Integer.parseInt would take a sign too).
                    int code = 0;
                    for (int k = i; k < i + 4; k++) {
                        int digit = hexDigit(json.charAt(k));
                        if (digit < 0) {
                            throw new IllegalArgumentException("bad \\u escape at character " + (i - 2)
                                    + ": expected four hex digits");
                        }
                        code = code << 4 | digit;
                    }
                    s.append((char) code);
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " at character " + (i - 2));
            }
        }
        at[0] = i;
        // A JSON escape (backslash, u, four hex digits) can name half of a surrogate pair alone: JSON
        // allows it, Unicode text does not, and UTF-8 (the model file's strings) cannot carry it.
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                k++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format("the string at character %d holds an unpaired"
                        + " surrogate, U+%04X: not Unicode text", start, (int) c));
            }
        }
        return s.toString();
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would take other scripts' digits too). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
            return (c | 0x20) - 'a' + 10;
        }
        return -1;
    }

    private static void expect(String json, int[] at, char c) {
        if (peek(json, at) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at character " + at[0]);
        }
        at[0]++;
    }

    /** The next non-space character (at[0] moves to it), or 0 at the end. */
    private static char peek(String json, int[] at) {
        at[0] = skipSpace(json, at[0]);
        return at[0] < json.length() ? json.charAt(at[0]) : 0;
    }

    private static int skipSpace(String json, int i) {
        while (i < json.length() && " \t\r\n".indexOf(json.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }
}
