package io.backlane.io;

/**
 * The file declares a format version this reader does not know: a newer one (written by a later
 * backlane) or 0 (never valid). Checked right after the magic and before any checksum, because a
 * later version is free to change everything after the version field, checksums included.
 *
 * <pre>{@code
 * try {
 *     ModelReader.load(path);
 * } catch (UnsupportedVersionException e) {
 *     System.err.println(e.getMessage() + "; found version " + e.foundVersion());
 * }
 * }</pre>
 */
public final class UnsupportedVersionException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    private final long foundVersion;

    UnsupportedVersionException(String source, long offset, long foundVersion, String detail) {
        super(source, offset, detail);
        this.foundVersion = foundVersion;
    }

    /** The version the file declares (an unsigned 32-bit value). */
    public long foundVersion() {
        return foundVersion;
    }

    /** The newest version this reader supports, {@link ModelFormat#CURRENT_VERSION} (it also reads every earlier one). */
    public int supportedVersion() {
        return ModelFormat.CURRENT_VERSION;
    }
}
