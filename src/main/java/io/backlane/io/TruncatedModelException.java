package io.backlane.io;

/**
 * The data ends before the model does: an empty file, a prefix of the magic, a header cut short, or
 * fewer bytes than the header declares (an interrupted copy or download).
 *
 * <pre>{@code
 * try {
 *     ModelReader.read(partialBytes);
 * } catch (TruncatedModelException e) {
 *     // "<bytes>: truncated: the header declares 226 bytes but there are only 100"
 * }
 * }</pre>
 */
public final class TruncatedModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    TruncatedModelException(String source, long offset, String detail) {
        super(source, offset, detail);
    }
}
