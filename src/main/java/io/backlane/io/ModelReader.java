package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link Model} written by {@link ModelWriter}, validating everything before it trusts
 * anything. The checks run in a fixed, documented order (see {@code docs/model-format.md}), so that
 * each kind of damage maps to one exception type:
 *
 * <ol>
 *   <li>size limit of the whole input → {@link CorruptModelException};</li>
 *   <li>magic bytes → {@link BadMagicException} (a proper prefix of the magic, or nothing at all:
 *       {@link TruncatedModelException});</li>
 *   <li>format version → {@link UnsupportedVersionException} (before any checksum, since a later
 *       version may checksum differently);</li>
 *   <li>header complete → {@link TruncatedModelException}; header CRC32C →
 *       {@link ChecksumMismatchException};</li>
 *   <li>declared section lengths within limits → {@link CorruptModelException}; the input at least
 *       as long as declared → {@link TruncatedModelException}; not longer →
 *       {@link CorruptModelException} (trailing bytes);</li>
 *   <li>file CRC32C → {@link ChecksumMismatchException};</li>
 *   <li>every value of every section → {@link CorruptModelException}.</li>
 * </ol>
 *
 * <p>Every count read from the input is checked against the bytes actually left in its section,
 * and against the format limits, before anything of that size is allocated, so a hostile file
 * cannot make the reader allocate more than the file's own size (plus the parsed model).
 *
 * <pre>{@code
 * Model model = ModelReader.load(Path.of("iris.bkln"));
 * try (InputStream in = Main.class.getResourceAsStream("/iris.bkln")) {
 *     Model bundled = ModelReader.read(in, "classpath:/iris.bkln");
 * }
 * }</pre>
 *
 * <p>Thread-safe: it has no state.
 */
public final class ModelReader {
    /** The first buffer for a stream of unknown length; it doubles as bytes arrive, up to the declared total. */
    private static final int STREAM_CHUNK = 1 << 16;

    private ModelReader() {
    }

    /**
     * Reads the model file at {@code path}.
     *
     * @throws ModelFormatException if the file is not a valid model (the subclass says why)
     * @throws IOException          if the file cannot be read (missing, a directory, no permission)
     */
    public static Model load(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        String source = path.toString();
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        // A device or a pipe has no meaningful size (/dev/zero reports 0): it is read as a stream, which
        // the header bounds. A directory fails below with the JDK's own IOException.
        long size = attributes.isRegularFile() ? attributes.size() : -1;
        if (size > ModelFormat.MAX_FILE_BYTES) {
            throw tooLarge(source, size);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return readBounded(in, source, size);
        }
    }

    /** Reads a model from {@code in} to its end (without closing it); errors name it {@code <stream>}. */
    public static Model read(InputStream in) throws IOException {
        return read(in, "<stream>");
    }

    /**
     * Reads a model from {@code in} to its end, without closing it. It reads the header first and
     * then no more than the header declares, plus one byte to detect trailing data.
     *
     * @param source how error messages name the stream, for example a URL
     */
    public static Model read(InputStream in, String source) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in must not be null");
        }
        return readBounded(in, source == null ? "<stream>" : source, -1);
    }

    /**
     * The streaming read behind {@link #load} and {@link #read(InputStream, String)}: the 32-byte
     * header is read and checked (magic, version, header CRC, declared lengths) before anything else,
     * so that a file that is not a model costs 32 bytes to refuse; then exactly the declared total is
     * read, into a buffer that grows only as the bytes arrive, so that a header declaring more than
     * the input holds costs no more memory than the input.
     *
     * @param knownSize the input's size when the file system knows it (a regular file), else -1
     */
    private static Model readBounded(InputStream in, String src, long knownSize) throws IOException {
        // The magic and version first: they say how long the rest of the header is.
        byte[] header = in.readNBytes(ModelFormat.SECTION_LENGTHS_OFFSET);
        ModelFormat.Layout layout = checkMagicAndVersion(header, src);
        byte[] rest = in.readNBytes(layout.headerLength() - header.length);
        header = Arrays.copyOf(header, header.length + rest.length);
        System.arraycopy(rest, 0, header, ModelFormat.SECTION_LENGTHS_OFFSET, rest.length);
        long total = declaredTotal(header, src, layout);   // throws for a short or damaged header
        if (knownSize >= 0) {
            checkLength(src, knownSize, total);
        }
        byte[] bytes = new byte[(int) Math.min(total, knownSize >= 0 ? total : STREAM_CHUNK)];
        System.arraycopy(header, 0, bytes, 0, header.length);
        int filled = header.length;
        while (filled < total) {
            if (filled == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(total, 2L * bytes.length));
            }
            int n = in.read(bytes, filled, bytes.length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        if (filled < total) {
            checkLength(src, filled, total);   // throws: truncated
        }
        if (in.read() != -1) {
            throw new CorruptModelException(src, total, "trailing bytes after the end of the model: the header"
                    + " declares " + total + " bytes, the input holds more");
        }
        return parse(bytes, src);
    }

    /** Reads a model from the complete file contents {@code bytes}; errors name it {@code <bytes>}. */
    public static Model read(byte[] bytes) throws ModelFormatException {
        return read(bytes, "<bytes>");
    }

    /**
     * Reads a model from the complete file contents {@code bytes} (not modified).
     *
     * @param source how error messages name the data
     */
    public static Model read(byte[] bytes, String source) throws ModelFormatException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        return parse(bytes, source == null ? "<bytes>" : source);
    }

    private static CorruptModelException tooLarge(String source, long size) {
        return new CorruptModelException(source, -1, "the file is " + size + " bytes; the model format allows at most "
                + ModelFormat.MAX_FILE_BYTES);
    }

    private static Model parse(byte[] b, String src) throws ModelFormatException {
        int n = b.length;
        if (n > ModelFormat.MAX_FILE_BYTES) {
            throw tooLarge(src, n);
        }
        ModelFormat.Layout layout = checkMagicAndVersion(b, src);
        long total = declaredTotal(b, src, layout);
        checkLength(src, n, total);
        checkCrc(b, src, n - ModelFormat.TRAILER_LENGTH, "file");
        Sections sections = new Sections(b, src, layout);

        Network network = readArchitecture(sections.next());
        FeatureScaler scaler = readScaler(sections.next(), network.inputWidth(), "the network's input width", false);
        Parameters parameters = readParameters(sections.next(), network);
        Section labelSection = sections.next();
        List<String> labels = readLabels(labelSection);
        Model model;
        try {
            model = new Model(parameters, scaler, labels);
        } catch (IllegalArgumentException e) {
            throw new CorruptModelException(src, labelSection.start, "inconsistent model: " + e.getMessage());
        }
        if (layout.version() == 1) {
            return model;   // version 1 stores none of what follows: default names, no target scaler, no metadata
        }

        List<String> names = readFeatureNames(sections.next(), network.inputWidth());
        Section targetSection = sections.next();
        FeatureScaler target = readScaler(targetSection, network.outputWidth(), "the network's output width", true);
        Map<String, String> metadata = readMetadata(sections.next());
        Section idSection = sections.next();
        String storedId = readId(idSection);
        try {
            model = model.withFeatureNames(names).withTargetScaler(target).withMetadata(metadata);
        } catch (IllegalArgumentException e) {
            throw new CorruptModelException(src, targetSection.start, "inconsistent model: " + e.getMessage());
        }
        if (!storedId.equals(model.id())) {
            throw idSection.corrupt(idSection.start, "the model id " + storedId + " does not match its content (computed "
                    + model.id() + "): the file was changed after it was written, and its checksums recomputed");
        }
        return model;
    }

    /** The sections of a checked file, in order; the header's lengths are known to add up to the file length. */
    private static final class Sections {
        private final byte[] bytes;
        private final String src;
        private final ModelFormat.Layout layout;
        private int index;
        private int at;

        Sections(byte[] bytes, String src, ModelFormat.Layout layout) {
            this.bytes = bytes;
            this.src = src;
            this.layout = layout;
            this.at = layout.headerLength();
        }

        Section next() {
            long length = u32(bytes, ModelFormat.SECTION_LENGTHS_OFFSET + 4 * index);
            Section s = new Section(bytes, src, layout.sectionNames().get(index), at, length);
            index++;
            at += (int) length;
            return s;
        }
    }

    /**
     * Checks the magic and the version at the start of {@code b} (checks 2 to 5 of
     * docs/model-format.md) and returns the version's layout. {@code b} may hold only the first
     * 12 bytes, or the whole input.
     */
    private static ModelFormat.Layout checkMagicAndVersion(byte[] b, String src) throws ModelFormatException {
        checkMagic(b, src);
        return checkVersion(b, src);
    }

    /**
     * Checks the rest of the header at the start of {@code b} (checks 6 to 8 of
     * docs/model-format.md: header length and CRC, declared section lengths) and returns the file
     * length it declares. {@code b} may be the header alone or the whole input.
     */
    private static long declaredTotal(byte[] b, String src, ModelFormat.Layout layout) throws ModelFormatException {
        if (b.length < layout.headerLength()) {
            throw new TruncatedModelException(src, b.length, "truncated header: expected " + layout.headerLength()
                    + " header bytes (version " + layout.version() + "), found " + b.length);
        }
        checkCrc(b, src, layout.headerCrcOffset(), "header");
        long total = layout.headerLength() + ModelFormat.TRAILER_LENGTH;
        for (int s = 0; s < layout.sectionCount(); s++) {
            long length = u32(b, ModelFormat.SECTION_LENGTHS_OFFSET + 4 * s);
            if (length > ModelFormat.MAX_FILE_BYTES) {
                throw new CorruptModelException(src, ModelFormat.SECTION_LENGTHS_OFFSET + 4 * s, "the header declares the "
                        + layout.sectionNames().get(s) + " section as " + length + " bytes; the model format allows"
                        + " at most " + ModelFormat.MAX_FILE_BYTES);
            }
            total += length;
        }
        if (total > ModelFormat.MAX_FILE_BYTES) {
            throw new CorruptModelException(src, ModelFormat.SECTION_LENGTHS_OFFSET, "the header declares a file of "
                    + total + " bytes; the model format allows at most " + ModelFormat.MAX_FILE_BYTES);
        }
        return total;
    }

    /** Checks 9 and 10: the input of {@code n} bytes is exactly as long as its header declares. */
    private static void checkLength(String src, long n, long total) throws ModelFormatException {
        if (n < total) {
            throw new TruncatedModelException(src, n, "truncated: the header declares " + total
                    + " bytes, found only " + n);
        }
        if (n > total) {
            throw new CorruptModelException(src, total, (n - total) + " trailing bytes after the end of the model: the"
                    + " header declares " + total + " bytes, found " + n);
        }
    }

    private static void checkMagic(byte[] b, String src) throws ModelFormatException {
        int n = Math.min(b.length, ModelFormat.MAGIC_LENGTH);
        for (int i = 0; i < n; i++) {
            if (b[i] != ModelFormat.magicByte(i)) {
                throw new BadMagicException(src, i, "not a backlane model file: expected magic "
                        + ModelFormat.hex(ModelFormat.magic(), 0, ModelFormat.MAGIC_LENGTH) + ", found "
                        + ModelFormat.hex(b, 0, n) + magicHint(b));
            }
        }
        if (b.length < ModelFormat.MAGIC_LENGTH) {
            throw new TruncatedModelException(src, b.length, b.length == 0 ? "empty: expected a model file"
                    : "truncated inside the magic: expected " + ModelFormat.MAGIC_LENGTH + " magic bytes, found "
                    + b.length);
        }
    }

    /** Recognizes a model file damaged by a text-mode copy, the damage the magic bytes exist to catch. */
    private static String magicHint(byte[] b) {
        int n = Math.min(b.length, 12);
        for (int i = 0; i + 4 <= n; i++) {
            if (b[i] == 'B' && b[i + 1] == 'K' && b[i + 2] == 'L' && b[i + 3] == 'N') {
                return "; this looks like a backlane model damaged by a text-mode transfer or a character-set"
                        + " conversion (line endings or non-ASCII bytes changed): copy it in binary mode";
            }
        }
        return "";
    }

    private static ModelFormat.Layout checkVersion(byte[] b, String src) throws ModelFormatException {
        int v = ModelFormat.VERSION_OFFSET;
        if (b.length < v + 4) {
            throw new TruncatedModelException(src, b.length, "truncated inside the format version: expected "
                    + (v + 4) + " bytes at least, found " + b.length);
        }
        long version = u32(b, v);
        ModelFormat.Layout layout = ModelFormat.layout(version);
        if (layout == null) {
            throw new UnsupportedVersionException(src, v, version, version > ModelFormat.CURRENT_VERSION
                    ? "model format version " + version + " is newer than this reader supports (version "
                    + ModelFormat.CURRENT_VERSION + "); upgrade backlane to read it"
                    : "model format version " + version + " is not valid; expected " + ModelFormat.OLDEST_VERSION
                    + " to " + ModelFormat.CURRENT_VERSION);
        }
        return layout;
    }

    private static void checkCrc(byte[] b, String src, int crcOffset, String what) throws ChecksumMismatchException {
        long stored = u32(b, crcOffset);
        long computed = ModelWriter.crc(b, 0, crcOffset);
        if (stored != computed) {
            throw new ChecksumMismatchException(src, crcOffset, what + " checksum mismatch: stored CRC32C "
                    + String.format("0x%08X", stored) + ", computed " + String.format("0x%08X", computed)
                    + " over bytes [0, " + crcOffset + "); the " + what + " was changed after it was written");
        }
    }

    private static Network readArchitecture(Section s) throws CorruptModelException {
        int inputWidth = s.width("input width");
        long layerCount = s.u32("layer count");
        if (layerCount < 1 || layerCount > ModelFormat.MAX_LAYERS) {
            throw s.corrupt(s.pos - 4, "layer count " + layerCount + " is outside [1, " + ModelFormat.MAX_LAYERS + "]");
        }
        s.need(12 * layerCount + 4, layerCount + " layers and the loss code");
        Network.Builder builder = Network.builder(inputWidth);
        for (int l = 1; l <= layerCount; l++) {
            int width = s.width("layer " + l + " width");
            long code = s.u32("layer " + l + " activation code");
            Activation g = code > 0xFF ? null : ModelFormat.activationFromCode((int) code);
            if (g == null) {
                throw s.corrupt(s.pos - 4, "layer " + l + ": unknown activation code " + code
                        + "; known codes are 1..6");
            }
            int slopeBits = (int) s.u32("layer " + l + " slope");
            float slope = Float.intBitsToFloat(slopeBits);
            if (g != Activation.LEAKY_RELU && slopeBits != 0) {
                // Layer would silently zero it; a stored non-zero slope means the bytes are not what we wrote.
                throw s.corrupt(s.pos - 4, "layer " + l + " (" + g.name().toLowerCase(java.util.Locale.ROOT)
                        + ") has slope " + slope + "; expected 0 for any activation but leaky_relu");
            }
            try {
                builder.dense(new Layer(width, g, slope));
            } catch (IllegalArgumentException e) {
                throw s.corrupt(s.pos - 12, "layer " + l + ": " + e.getMessage());
            }
        }
        long lossCode = s.u32("loss code");
        Loss loss = lossCode > 0xFF ? null : ModelFormat.lossFromCode((int) lossCode);
        if (loss == null) {
            throw s.corrupt(s.pos - 4, "unknown loss code " + lossCode + "; known codes are 1..3");
        }
        s.finish();
        try {
            return builder.loss(loss).build();
        } catch (IllegalArgumentException e) {
            throw s.corrupt(s.start, "invalid architecture: " + e.getMessage());
        }
    }

    /**
     * A scaler of {@code width} values: the input scaler, or (version 2) the target scaler, whose
     * scales must also be non-zero since predictions are divided by them.
     */
    private static FeatureScaler readScaler(Section s, int width, String widthName, boolean divides)
            throws CorruptModelException {
        long code = s.u32("scaler kind");
        FeatureScaler.Kind kind = code > 0xFF ? null : ModelFormat.scalerFromCode((int) code);
        if (kind == null) {
            throw s.corrupt(s.pos - 4, "unknown scaler kind code " + code + "; known codes are 1..3");
        }
        long stored = s.u32("scaler width");
        if (stored != width) {
            throw s.corrupt(s.pos - 4, "the scaler has width " + stored + "; " + widthName + " is " + width);
        }
        s.need(8L * width, width + " shifts and " + width + " scales");
        float[] shift = s.floats(width);
        int scales = s.pos;
        float[] scale = s.floats(width);
        if (divides) {
            for (int j = 0; j < width; j++) {
                if (scale[j] == 0f) {
                    throw s.corrupt(scales + 4L * j, "scale " + j + " is 0; predictions are divided by it");
                }
            }
        }
        s.finish();
        try {
            return new FeatureScaler(kind, shift, scale);
        } catch (IllegalArgumentException e) {
            throw s.corrupt(s.start, "invalid scaler: " + e.getMessage());
        }
    }

    private static Parameters readParameters(Section s, Network network) throws CorruptModelException {
        long count = s.u32("parameter count");
        if (count != network.parameterCount()) {
            throw s.corrupt(s.pos - 4, "the file declares " + count + " parameters; the architecture "
                    + network + " has " + network.parameterCount());
        }
        s.need(4 * count, count + " parameters");
        // Straight into the parameters' own array: the largest allocation, so not made twice.
        Parameters parameters = new Parameters(network);
        int first = s.pos;
        s.floatsInto(parameters.values());
        float[] values = parameters.values();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw s.corrupt(first + 4L * i, "parameter " + network.parameterName(i) + " is " + values[i]
                        + ": a model with non-finite parameters cannot predict (was it saved from a diverged training?)");
            }
        }
        s.finish();
        return parameters;
    }

    private static List<String> readLabels(Section s) throws CorruptModelException {
        long count = s.u32("label count");
        if (count > ModelFormat.MAX_LABELS) {
            throw s.corrupt(s.pos - 4, "label count " + count + " exceeds the format's limit of " + ModelFormat.MAX_LABELS);
        }
        s.need(4 * count, count + " labels (at least 4 bytes each)");
        List<String> labels = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            labels.add(s.string("label " + i, ModelFormat.MAX_LABEL_BYTES));
        }
        s.finish();
        return labels;
    }

    /** Version 2: one distinct name per input. */
    private static List<String> readFeatureNames(Section s, int inputWidth) throws CorruptModelException {
        long count = s.u32("feature name count");
        if (count != inputWidth) {
            throw s.corrupt(s.pos - 4, "the file declares " + count + " feature names; the network has "
                    + inputWidth + " inputs");
        }
        s.need(4 * count, count + " feature names (at least 4 bytes each)");
        List<String> names = new ArrayList<>(inputWidth);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int at = s.pos;
            String name = s.string("feature name " + i, ModelFormat.MAX_NAME_BYTES);
            Integer before = seen.putIfAbsent(name, i);
            if (before != null) {
                throw s.corrupt(at, "feature name " + i + " \"" + name + "\" repeats feature name " + before
                        + "; feature names must be distinct");
            }
            names.add(name);
        }
        s.finish();
        return names;
    }

    /** Version 2: key, value pairs in order, keys distinct. */
    private static Map<String, String> readMetadata(Section s) throws CorruptModelException {
        long count = s.u32("metadata entry count");
        if (count > ModelFormat.MAX_METADATA_ENTRIES) {
            throw s.corrupt(s.pos - 4, "metadata entry count " + count + " exceeds the format's limit of "
                    + ModelFormat.MAX_METADATA_ENTRIES);
        }
        s.need(8 * count, count + " metadata entries (at least 8 bytes each)");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = s.pos;
            String key = s.string("metadata key " + i, ModelFormat.MAX_NAME_BYTES);
            String value = s.string("metadata value " + i + " (\"" + key + "\")", ModelFormat.MAX_METADATA_VALUE_BYTES);
            if (metadata.putIfAbsent(key, value) != null) {
                throw s.corrupt(at, "metadata key " + i + " \"" + key + "\" appears twice");
            }
        }
        s.finish();
        return metadata;
    }

    /** Version 2: the model id as written, 32 lower-case hex digits; compared with the content by the caller. */
    private static String readId(Section s) throws CorruptModelException {
        s.need(ModelFormat.ID_LENGTH, "the model id");
        for (int i = 0; i < ModelFormat.ID_LENGTH; i++) {
            byte c = s.bytes[s.pos + i];
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                throw s.corrupt(s.pos + i, "the model id must be " + ModelFormat.ID_LENGTH
                        + " lower-case hex digits; byte " + i + " is " + ModelFormat.hex(s.bytes, s.pos + i, s.pos + i + 1));
            }
        }
        String id = new String(s.bytes, s.pos, ModelFormat.ID_LENGTH, StandardCharsets.US_ASCII);
        s.pos += ModelFormat.ID_LENGTH;
        s.finish();
        return id;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    /** A bounded cursor over one section; reading past its end is corruption, not truncation. */
    private static final class Section {
        final byte[] bytes;
        final String src;
        final String name;
        final int start;
        final int end;
        int pos;

        Section(byte[] bytes, String src, String name, int start, long length) {
            this.bytes = bytes;
            this.src = src;
            this.name = name;
            this.start = start;
            this.end = (int) (start + length);   // the caller checked start + length <= bytes.length
            this.pos = start;
        }

        CorruptModelException corrupt(long offset, String detail) {
            return new CorruptModelException(src, offset, name + " section: " + detail);
        }

        void need(long count, String what) throws CorruptModelException {
            if (count > end - pos) {
                throw corrupt(pos, "expected " + count + " bytes for " + what + ", but only " + (end - pos)
                        + " remain in the section");
            }
        }

        long u32(String what) throws CorruptModelException {
            need(4, what);
            long v = ModelReader.u32(bytes, pos);
            pos += 4;
            return v;
        }

        int width(String what) throws CorruptModelException {
            long w = u32(what);
            if (w < 1 || w > ModelFormat.MAX_WIDTH) {
                throw corrupt(pos - 4, what + " " + w + " is outside [1, " + ModelFormat.MAX_WIDTH + "]");
            }
            return (int) w;
        }

        /** Reads {@code count} floats; the caller has checked with {@link #need} that they are there. */
        float[] floats(int count) {
            float[] v = new float[count];
            floatsInto(v);
            return v;
        }

        void floatsInto(float[] v) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Float.intBitsToFloat((int) ModelReader.u32(bytes, pos));
                pos += 4;
            }
        }

        /** A u32 byte length (at most {@code limit}) and that many bytes of well-formed UTF-8. */
        String string(String what, int limit) throws CorruptModelException {
            long length = u32(what + " length");
            if (length > limit) {
                throw corrupt(pos - 4, what + " is declared as " + length + " bytes; the format's limit is " + limit);
            }
            need(length, what);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, pos, (int) length)).toString();
            } catch (CharacterCodingException e) {
                throw corrupt(pos, what + " is not valid UTF-8: " + ModelFormat.hex(bytes, pos, pos + (int) Math.min(length, 16)));
            }
            pos += (int) length;
            return text;
        }

        void finish() throws CorruptModelException {
            if (pos != end) {
                throw corrupt(pos, (end - pos) + " unexpected bytes at the end of the section (it is declared as "
                        + (end - start) + " bytes, its content is " + (pos - start) + ")");
            }
        }
    }
}
