package io.backlane.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines from bytes, decoding each line on its own. A decoding error is therefore
 * reported on the line that holds the bad bytes; an InputStreamReader under a BufferedReader
 * decodes thousands of characters ahead and would blame an earlier line. Splitting on the bytes
 * {@code \n} and {@code \r} is safe because they never occur inside a multi-byte UTF-8 sequence.
 * Line ends are {@code \n}, {@code \r\n} or {@code \r}, as for {@link java.io.BufferedReader#readLine()}.
 *
 * <p>A line longer than the limit given to the constructor stops the read at once with a
 * {@link LineTooLongException}: without a limit, a file with no line break (a binary file, a
 * gigabyte of one line) would be buffered whole before anything could refuse it.
 */
final class Utf8LineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private byte[] line = new byte[256];
    private boolean skipLf;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Reads lines of at most {@code maxLineBytes} bytes (terminator excluded) from {@code in}. */
    Utf8LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** A line longer than the reader's limit; the caller knows the line number and the source. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(long limit, String unit) {
            super("line is longer than " + limit + " " + unit);
        }
    }

    /** The next line without its terminator, or null at the end of input. */
    String readLine() throws IOException {
        int len = 0;
        boolean any = false;
        boolean ascii = true;
        while (true) {
            if (pos == lim) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    pos = lim = 0;
                    return any ? decode(len, ascii) : null;
                }
                pos = 0;
                lim = n;
            }
            byte b = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            any = true;
            if (b == '\n') {
                return decode(len, ascii);
            }
            if (b == '\r') {
                skipLf = true;
                return decode(len, ascii);
            }
            if (len >= maxLineBytes) {
                throw new LineTooLongException(maxLineBytes, "bytes");
            }
            if (len == line.length) {
                line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, 2L * len));
            }
            line[len++] = b;
            ascii &= b >= 0;
        }
    }

    private String decode(int len, boolean ascii) throws CharacterCodingException {
        if (ascii) {
            return new String(line, 0, len, StandardCharsets.ISO_8859_1); // cheapest exact decoding of ASCII
        }
        return decoder.decode(ByteBuffer.wrap(line, 0, len)).toString();
    }
}
