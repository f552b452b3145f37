package io.backlane.io;

import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Model;
import io.backlane.nn.Network;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Writes a {@link Model} in the backlane model format, version {@value ModelFormat#CURRENT_VERSION}
 * (specified in {@code docs/model-format.md}): the network, parameters, scaler and class labels, and
 * the feature names, target scaler, metadata and {@link Model#id()}. The output is a pure function of
 * the model: saving the same model twice gives identical bytes, which the golden-file test relies on.
 *
 * <pre>{@code
 * Model model = new Model(network, parameters, scaler, List.of("setosa", "versicolor", "virginica"));
 * ModelWriter.save(model, Path.of("iris.bkln"));     // atomic: readers see the old file or the new one
 * byte[] bytes = ModelWriter.toBytes(model);         // the same bytes, in memory
 * }</pre>
 *
 * <p>A model the format cannot represent (a label that is not valid Unicode, a file over
 * {@link ModelFormat#MAX_FILE_BYTES}, a width over {@link ModelFormat#MAX_WIDTH}...) is refused with
 * an {@link IllegalArgumentException} before anything is written, so a writer never produces a file
 * its reader would reject.
 */
public final class ModelWriter {
    private ModelWriter() {
    }

    /**
     * Saves {@code model} to {@code target} atomically: the bytes go to a new temporary file in the
     * same directory, are forced to the storage device, and the temporary file is then renamed over
     * the target. A crash or an error at any point leaves either the previous file or the new one,
     * never a partial one, and the temporary file is deleted on failure.
     *
     * <p>The target is checked before anything is written (as {@link #checkTarget} does): only a new
     * file or an existing regular file is ever replaced. A directory, a device ({@code /dev/null}, {@code /dev/full}), a
     * FIFO, a socket or a symbolic link is refused, because the rename would silently put a regular
     * file in its place (run as root, {@code --save /dev/null} would break the system). Symbolic
     * links are refused rather than followed: replacing the link would surprise whoever made it, and
     * writing through it would replace a file elsewhere; save to the file the link points to instead.
     * Errors name {@code target}, never the temporary file.
     *
     * @throws IllegalArgumentException if the format cannot represent the model
     * @throws IOException              if the target is refused (see above), its directory does not
     *                                  exist or is not writable, or writing or renaming fails
     */
    public static void save(Model model, Path target) throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        byte[] bytes = toBytes(model);   // validate fully before touching the file system
        writeAtomically(target, channel -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        });
    }

    /**
     * Writes the model's bytes to {@code out}; neither flushes nor closes it.
     *
     * @throws IllegalArgumentException if the format cannot represent the model
     */
    public static void write(Model model, OutputStream out) throws IOException {
        if (out == null) {
            throw new IllegalArgumentException("out must not be null");
        }
        out.write(toBytes(model));
    }

    /**
     * The model file's bytes.
     *
     * @throws IllegalArgumentException if the model is null or the format cannot represent it
     */
    public static byte[] toBytes(Model model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        Network net = model.network();
        FeatureScaler scaler = model.scaler();
        float[] values = model.parameters().values();
        List<String> labels = model.classLabels();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("parameter " + net.parameterName(i) + " is " + values[i]
                        + ": a model with non-finite parameters cannot predict, and is not saved");
            }
        }

        int layers = net.layerCount();
        if (layers > ModelFormat.MAX_LAYERS) {
            throw new IllegalArgumentException("the network has " + layers + " layers; the model format allows at most "
                    + ModelFormat.MAX_LAYERS);
        }
        for (int l = 0; l <= layers; l++) {
            if (net.width(l) > ModelFormat.MAX_WIDTH) {
                throw new IllegalArgumentException("layer " + l + " has width " + net.width(l)
                        + "; the model format allows at most " + ModelFormat.MAX_WIDTH);
            }
        }
        if (labels.size() > ModelFormat.MAX_LABELS) {
            throw new IllegalArgumentException(labels.size() + " class labels; the model format allows at most "
                    + ModelFormat.MAX_LABELS);
        }
        byte[][] encodedLabels = utf8All(labels, "class label", ModelFormat.MAX_LABEL_BYTES);
        byte[][] encodedNames = utf8All(model.featureNames(), "feature name", ModelFormat.MAX_NAME_BYTES);
        Map<String, String> metadata = model.metadata();
        if (metadata.size() > ModelFormat.MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException(metadata.size() + " metadata entries; the model format allows at most "
                    + ModelFormat.MAX_METADATA_ENTRIES);
        }
        byte[][] encodedMetadata = new byte[2 * metadata.size()][];
        int e = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            encodedMetadata[e++] = utf8(entry.getKey(), "metadata key \"" + entry.getKey() + "\"", ModelFormat.MAX_NAME_BYTES);
            encodedMetadata[e++] = utf8(entry.getValue(), "metadata value of \"" + entry.getKey() + "\"",
                    ModelFormat.MAX_METADATA_VALUE_BYTES);
        }
        FeatureScaler target = model.targetScaler();
        byte[] id = model.id().getBytes(StandardCharsets.US_ASCII);
        long[] sections = {
                12L + 12L * layers,                 // architecture
                8L + 8L * scaler.width(),           // scaler
                4L + 4L * values.length,            // parameters
                4L + 4L * encodedLabels.length + byteCount(encodedLabels),              // labels
                4L + 4L * encodedNames.length + byteCount(encodedNames),                // feature names
                8L + 8L * target.width(),                                               // target scaler
                4L + 4L * encodedMetadata.length + byteCount(encodedMetadata),          // metadata
                id.length                                                               // model id
        };
        ModelFormat.Layout layout = ModelFormat.V2;
        long total = layout.headerLength() + ModelFormat.TRAILER_LENGTH;
        for (long s : sections) {
            total += s;
        }
        if (total > ModelFormat.MAX_FILE_BYTES) {
            throw new IllegalArgumentException("the model needs " + total + " bytes (" + values.length
                    + " parameters); the model format allows at most " + ModelFormat.MAX_FILE_BYTES + " bytes");
        }

        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(ModelFormat.magic());
        buf.putInt(layout.version());
        for (long s : sections) {
            buf.putInt((int) s);
        }
        buf.putInt((int) crc(buf.array(), 0, layout.headerCrcOffset()));

        buf.putInt(net.inputWidth());
        buf.putInt(layers);
        for (int l = 1; l <= layers; l++) {
            Layer layer = net.layer(l);
            buf.putInt(layer.width());
            buf.putInt(ModelFormat.activationCode(layer.activation()));
            buf.putInt(Float.floatToRawIntBits(layer.slope()));
        }
        buf.putInt(ModelFormat.lossCode(net.loss()));

        putScaler(buf, scaler);

        buf.putInt(values.length);
        putFloats(buf, values);

        putStrings(buf, encodedLabels.length, encodedLabels);
        putStrings(buf, encodedNames.length, encodedNames);
        putScaler(buf, target);
        putStrings(buf, metadata.size(), encodedMetadata);   // key, value, key, value...
        buf.put(id);

        int end = buf.position();
        buf.putInt((int) crc(buf.array(), 0, end));
        if (buf.hasRemaining()) {
            throw new AssertionError("model writer computed " + total + " bytes but wrote " + buf.position());
        }
        return buf.array();
    }

    private static void putScaler(ByteBuffer buf, FeatureScaler scaler) {
        buf.putInt(ModelFormat.scalerCode(scaler.kind()));
        buf.putInt(scaler.width());
        putFloats(buf, scaler.shift());
        putFloats(buf, scaler.scale());
    }

    /** A u32 count, then each string as a u32 byte length and its bytes. */
    private static void putStrings(ByteBuffer buf, int count, byte[][] strings) {
        buf.putInt(count);
        for (byte[] s : strings) {
            buf.putInt(s.length);
            buf.put(s);
        }
    }

    private static long byteCount(byte[][] strings) {
        long n = 0;
        for (byte[] s : strings) {
            n += s.length;
        }
        return n;
    }

    private static void putFloats(ByteBuffer buf, float[] values) {
        // Raw bits, so that a round trip is bit-exact (−0 stays −0).
        for (float v : values) {
            buf.putInt(Float.floatToRawIntBits(v));
        }
    }

    private static byte[][] utf8All(List<String> strings, String what, int limit) {
        byte[][] encoded = new byte[strings.size()][];
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = utf8(strings.get(i), what + " " + i, limit);
        }
        return encoded;
    }

    static byte[] utf8(String text, String what, int limit) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        try {
            // A strict encoder: String.getBytes would silently turn an unpaired surrogate into '?'.
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            if (bytes.length > limit) {
                throw new IllegalArgumentException(what + " is " + bytes.length
                        + " bytes of UTF-8; the model format allows at most " + limit);
            }
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (an unpaired surrogate?)"
                    + " and cannot be stored as UTF-8", e);
        }
    }

    static long crc(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return crc.getValue();
    }

    /** Writes the body of a file; a seam so that tests can make a write fail halfway. */
    @FunctionalInterface
    interface Body {
        void writeTo(WritableByteChannel channel) throws IOException;
    }

    private static final int TEMP_ATTEMPTS = 16;

    /**
     * Checks, without writing anything, that {@link #save} may write {@code target}: its directory
     * exists and a file can be created there (probed by creating and deleting the temporary file
     * that a save would use), and the target is absent or an existing regular file (not a
     * directory, device, FIFO, socket or symbolic link). Callers that do expensive work before
     * saving (training) call it first; {@link #save} calls it again.
     *
     * @throws IllegalArgumentException if {@code target} is null
     * @throws IOException              naming {@code target} (or its directory) and what is wrong
     */
    public static void checkTarget(Path target) throws IOException {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        Path dir = refuseUnsafeTarget(target);
        Temporary probe = createTemporary(target, dir);
        probe.channel().close();
        Files.deleteIfExists(probe.file());
    }

    /**
     * Refuses a target that is not absent or a regular file, and a missing directory; returns the
     * target's (absolute) directory.
     */
    private static Path refuseUnsafeTarget(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw new FileSystemException(target.toString(), null, "not a file path");
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(absolute, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException absent) {
            attrs = null;
        }
        if (attrs != null && !attrs.isRegularFile()) {
            // Files.move would put a regular file in the place of any of these (it would even
            // replace an empty directory, or /dev/null when run as root).
            String what = attrs.isDirectory() ? "is a directory"
                    : attrs.isSymbolicLink() ? "is a symbolic link (links are not followed; save to the file it points to)"
                    : "is not a regular file (a device, FIFO or socket)";
            throw new FileSystemException(target.toString(), null, what + "; refusing to replace it with a new file");
        }
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null,
                    "directory does not exist; cannot save " + absolute.getFileName() + " there");
        }
        return dir;
    }

    /** A new temporary file beside the target, open for writing. */
    private record Temporary(Path file, FileChannel channel) {
    }

    /**
     * Creates the temporary file in the target's directory. Same directory as the target so that
     * the final rename never crosses file systems and stays atomic. CREATE_NEW (rather than
     * Files.createTempFile) so that the new file gets the usual default permissions, not
     * createTempFile's owner-only ones. A failure names the target the caller gave, not the hidden
     * temporary name, which would mean nothing to the user.
     */
    private static Temporary createTemporary(Path target, Path dir) throws IOException {
        String name = target.toAbsolutePath().getFileName().toString();
        for (int attempt = 0; ; attempt++) {
            Path candidate = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                return new Temporary(candidate,
                        FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                if (attempt + 1 >= TEMP_ATTEMPTS) {
                    throw new FileSystemException(target.toString(), null,
                            "cannot create a temporary file beside it: " + TEMP_ATTEMPTS + " names were taken");
                }
            } catch (AccessDeniedException e) {
                AccessDeniedException named = new AccessDeniedException(target.toString(), null,
                        "cannot create a file in " + dir);
                named.initCause(e);
                throw named;
            } catch (FileSystemException e) {
                FileSystemException named = new FileSystemException(target.toString(), null,
                        "cannot create a temporary file beside it in " + dir + ": " + e.getReason());
                named.initCause(e);
                throw named;
            }
        }
    }

    /** The atomic-replace protocol behind {@link #save}: temp file, write, force, close, rename. */
    static void writeAtomically(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = refuseUnsafeTarget(target);

        Path tmp = null;
        try {
            Temporary temporary = createTemporary(target, dir);
            tmp = temporary.file();
            FileChannel channel = temporary.channel();
            try (FileChannel ch = channel) {
                body.writeTo(ch);
                // Data and metadata on the device before the rename publishes the file; otherwise a
                // power loss after the rename could expose an empty or partial file under the target name.
                ch.force(true);
            }
            keepPermissions(absolute, tmp);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (Throwable t) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException cleanup) {
                    t.addSuppressed(cleanup);
                }
            }
            throw t;
        }
        syncDirectory(dir);
    }

    /** Replacing a file should not change who may read it: carry the old file's POSIX permissions over. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view != null && Files.exists(target)) {
            try {
                Files.setPosixFilePermissions(tmp, view.readAttributes().permissions());
            } catch (java.nio.file.NoSuchFileException vanished) {
                // The old file was removed meanwhile: nothing to keep.
            }
        }
    }

    /**
     * Makes the rename itself durable. Best effort: some platforms (Windows) cannot open a directory;
     * the replacement is still atomic there, only its survival of a power loss is up to the OS.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // See the method comment.
        }
    }
}
