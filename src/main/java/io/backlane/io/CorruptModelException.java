package io.backlane.io;

/**
 * The file is intact (its checksums match) but what it declares is invalid: a size above the format
 * limits or inconsistent with the bytes present, an unknown activation, loss or scaler code, an
 * architecture the library refuses (such as softmax with binary cross-entropy), malformed UTF-8 in
 * a label, feature name or metadata entry, repeated feature names or metadata keys, a stored model id
 * that does not match the content, or trailing bytes after the model. Also raised for a file larger than
 * {@link ModelFormat#MAX_FILE_BYTES}. A writer bug or a hand-crafted file, typically.
 *
 * <pre>{@code
 * try {
 *     ModelReader.load(path);
 * } catch (CorruptModelException e) {
 *     // "model.bkln: layer 1: unknown activation code 99; known codes are 1..6"
 * }
 * }</pre>
 */
public final class CorruptModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    CorruptModelException(String source, long offset, String detail) {
        super(source, offset, detail);
    }
}
