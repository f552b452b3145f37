package io.backlane.io;

/**
 * A CRC32C stored in the file does not match its bytes: the header CRC (covering the magic, version
 * and section lengths) or the trailer CRC (covering everything before it). Some bytes changed after
 * the file was written.
 *
 * <pre>{@code
 * try {
 *     ModelReader.load(path);
 * } catch (ChecksumMismatchException e) {
 *     // "model.bkln: file checksum mismatch: stored CRC32C 0x1A2B3C4D, computed 0x5E6F7A8B"
 * }
 * }</pre>
 */
public final class ChecksumMismatchException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    ChecksumMismatchException(String source, long offset, String detail) {
        super(source, offset, detail);
    }
}
