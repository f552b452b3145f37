package io.backlane.io;

import java.io.IOException;

/**
 * A model file (or byte stream) that is not a valid backlane model. The subclasses say which check
 * failed, in the order a reader makes them (see {@code docs/model-format.md}); the message names the
 * source and what was expected versus found. {@link OnnxFormatException} is the one kind for ONNX
 * files ({@code docs/onnx.md}).
 *
 * <p>Sealed so that a caller can rely on these six kinds being the only ones, and an
 * {@link IOException} so that code which already handles I/O failures handles these too.
 *
 * <pre>{@code
 * try {
 *     Model model = ModelReader.load(Path.of("iris.bkln"));
 * } catch (UnsupportedVersionException e) {
 *     System.err.println("written by a newer backlane: " + e.getMessage());
 * } catch (ModelFormatException e) {
 *     System.err.println("damaged model file: " + e.getMessage());
 * }
 * }</pre>
 */
public abstract sealed class ModelFormatException extends IOException
        permits BadMagicException, UnsupportedVersionException, TruncatedModelException,
        ChecksumMismatchException, CorruptModelException, OnnxFormatException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long offset;

    /**
     * @param source what was being read (a file name, or a description such as {@code <stream>})
     * @param offset the byte offset the problem was found at, or −1 when it concerns the whole file
     * @param detail what was wrong, ideally "expected ..., found ..."
     */
    ModelFormatException(String source, long offset, String detail) {
        super(source + ": " + detail + (offset >= 0 ? " (at byte offset " + offset + ")" : ""));
        this.source = source;
        this.offset = offset;
    }

    /** What was being read: the file path, or a description of the stream. */
    public String source() {
        return source;
    }

    /** The byte offset at which the problem was detected, or −1 when it concerns the file as a whole. */
    public long offset() {
        return offset;
    }
}
