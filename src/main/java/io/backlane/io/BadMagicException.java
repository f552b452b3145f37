package io.backlane.io;

/**
 * The data does not start with the 8 magic bytes of a model file: it is some other kind of file, or
 * a model file damaged by a text-mode transfer (line-ending conversion, or a lost high bit). A
 * non-empty prefix of the magic itself is reported as {@link TruncatedModelException} instead.
 *
 * <pre>{@code
 * try {
 *     ModelReader.load(Path.of("data.csv"));
 * } catch (BadMagicException e) {
 *     // "data.csv: not a backlane model file: expected magic 89 42 4B 4C 4E 0D 0A 1A, found ..."
 * }
 * }</pre>
 */
public final class BadMagicException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    BadMagicException(String source, long offset, String detail) {
        super(source, offset, detail);
    }
}
