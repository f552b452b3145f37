package io.backlane.data;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines from characters, like {@link java.io.BufferedReader#readLine()} (line ends
 * {@code \n}, {@code \r\n} or {@code \r}), but stops at once with a
 * {@link Utf8LineReader.LineTooLongException} when a line has more characters than its limit:
 * BufferedReader would keep the whole line in memory first, however long.
 */
final class CharLineReader {
    private final Reader in;
    private final int maxLineChars;
    private final char[] buf = new char[1 << 13];
    private int pos;
    private int lim;
    private boolean skipLf;
    private final StringBuilder line = new StringBuilder();

    /** Reads lines of at most {@code maxLineChars} characters (terminator excluded) from {@code in}. */
    CharLineReader(Reader in, int maxLineChars) {
        this.in = in;
        this.maxLineChars = maxLineChars;
    }

    /** The next line without its terminator, or null at the end of input. */
    String readLine() throws IOException {
        line.setLength(0);
        boolean any = false;
        while (true) {
            if (pos == lim) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    pos = lim = 0;
                    return any ? line.toString() : null;
                }
                pos = 0;
                lim = n;
            }
            char c = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (c == '\n') {
                    continue;
                }
            }
            any = true;
            if (c == '\n') {
                return line.toString();
            }
            if (c == '\r') {
                skipLf = true;
                return line.toString();
            }
            if (line.length() >= maxLineChars) {
                throw new Utf8LineReader.LineTooLongException(maxLineChars, "characters");
            }
            line.append(c);
        }
    }
}
