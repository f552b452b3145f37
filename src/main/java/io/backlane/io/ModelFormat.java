package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;

import java.util.List;

/**
 * Constants of the backlane model file format ({@code .bkln}), version {@value #CURRENT_VERSION}
 * (written) and version 1 (still read). The byte layout, the order of the checks a reader makes and the version policy are specified in
 * {@code docs/model-format.md}; this class holds the numbers that document names, so that code and
 * specification cannot drift apart silently.
 *
 * <p>Every enum is stored as an explicit numeric code, never as its ordinal: reordering or extending
 * an enum must not change the meaning of files already written. The mappings are exhaustive
 * switches, so adding a constant to {@link Activation}, {@link Loss} or {@link FeatureScaler.Kind}
 * fails compilation here until it is given a code. Code 0 is never used, so that a zeroed region
 * reads as invalid rather than as the first constant.
 *
 * <pre>{@code
 * byte[] head;
 * try (InputStream in = Files.newInputStream(path)) {
 *     head = in.readNBytes(8);
 * }
 * if (ModelFormat.hasMagic(head)) {
 *     Model m = ModelReader.load(path);   // still validates everything
 * }
 * }</pre>
 */
final class ModelFormat {
    private ModelFormat() {
    }

    /** The format version this library writes; readers also read every earlier one (from version 1). */
    public static final int CURRENT_VERSION = 2;

    /** The oldest format version readers still read. */
    static final int OLDEST_VERSION = 1;

    /** The conventional file name extension, with its dot. */
    public static final String FILE_EXTENSION = ".bkln";

    /**
     * The largest file, in bytes, a reader accepts and a writer produces: 2,147,483,639 bytes
     * (2 GiB − 9), the largest byte array a JVM reliably allocates, since the whole file is read
     * into memory to verify its checksum before anything is parsed.
     */
    public static final int MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /** The widest layer (input included) a file may describe: 2^24 units. */
    public static final int MAX_WIDTH = 1 << 24;

    /** The most layers a file may describe. */
    public static final int MAX_LAYERS = 1 << 16;

    /** The most class labels a file may hold (the output width bounds it in practice). */
    public static final int MAX_LABELS = 1 << 24;

    /** The longest class label, in UTF-8 bytes. */
    public static final int MAX_LABEL_BYTES = 65_535;

    /** The longest feature name or metadata key, in UTF-8 bytes (version 2). */
    static final int MAX_NAME_BYTES = 65_535;

    /** The longest metadata value, in UTF-8 bytes (version 2): 1 MiB, room for a long training command. */
    static final int MAX_METADATA_VALUE_BYTES = 1 << 20;

    /** The most metadata entries a file may hold (version 2). */
    static final int MAX_METADATA_ENTRIES = 1 << 16;

    /** Length of the stored model id (version 2): {@link io.backlane.nn.Model#id()}, 32 lower-case hex digits. */
    static final int ID_LENGTH = 32;

    // The 8 magic bytes: a non-ASCII first byte catches 7-bit and text-decoding damage, CR LF catches
    // line-ending conversion in either direction, and ^Z stops a DOS `type` from dumping the rest.
    private static final byte[] MAGIC = {(byte) 0x89, 'B', 'K', 'L', 'N', 0x0D, 0x0A, 0x1A};

    /** Length of {@link #magic()}. */
    static final int MAGIC_LENGTH = 8;
    /** Offset of the u32 format version. */
    static final int VERSION_OFFSET = 8;
    /** Offset of the u32 section lengths, one per section of the version's layout. */
    static final int SECTION_LENGTHS_OFFSET = 12;
    /** Size of the trailing CRC32C, which covers every byte before it. */
    static final int TRAILER_LENGTH = 4;

    /**
     * The header and sections of one format version: the header is the magic, the version, one u32
     * length per section and the header CRC32C, so it only differs between versions in its number
     * of sections.
     */
    record Layout(int version, List<String> sectionNames) {
        int sectionCount() {
            return sectionNames.size();
        }

        /** Offset of the header CRC32C, which covers bytes [0, headerCrcOffset()). */
        int headerCrcOffset() {
            return SECTION_LENGTHS_OFFSET + 4 * sectionCount();
        }

        /** Size of the header; the first section starts here. */
        int headerLength() {
            return headerCrcOffset() + 4;
        }
    }

    /** Version 1: a 32-byte header, then architecture, scaler, parameters, labels. */
    static final Layout V1 = new Layout(1, List.of("architecture", "scaler", "parameters", "labels"));

    /** Version 2: a 48-byte header, then version 1's four sections and four more. */
    static final Layout V2 = new Layout(2, List.of("architecture", "scaler", "parameters", "labels",
            "feature names", "target scaler", "metadata", "model id"));

    /** The layout of {@code version}, or null for a version this library does not know. */
    static Layout layout(long version) {
        return version == 1 ? V1 : version == 2 ? V2 : null;
    }

    /** A copy of the 8 magic bytes every model file starts with: 89 42 4B 4C 4E 0D 0A 1A. */
    public static byte[] magic() {
        return MAGIC.clone();
    }

    /** Whether {@code bytes} starts with the magic bytes (a cheap sniff; it validates nothing else). */
    public static boolean hasMagic(byte[] bytes) {
        if (bytes == null || bytes.length < MAGIC_LENGTH) {
            return false;
        }
        for (int i = 0; i < MAGIC_LENGTH; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static byte magicByte(int i) {
        return MAGIC[i];
    }

    /** The stable file code of an activation (see docs/model-format.md). */
    public static int activationCode(Activation a) {
        return switch (a) {
            case SIGMOID -> 1;
            case TANH -> 2;
            case RELU -> 3;
            case LEAKY_RELU -> 4;
            case IDENTITY -> 5;
            case SOFTMAX -> 6;
        };
    }

    /** The activation with the given file code, or null when the code is unknown. */
    static Activation activationFromCode(int code) {
        return switch (code) {
            case 1 -> Activation.SIGMOID;
            case 2 -> Activation.TANH;
            case 3 -> Activation.RELU;
            case 4 -> Activation.LEAKY_RELU;
            case 5 -> Activation.IDENTITY;
            case 6 -> Activation.SOFTMAX;
            default -> null;
        };
    }

    /** The stable file code of a loss. */
    public static int lossCode(Loss loss) {
        return switch (loss) {
            case BINARY_CROSS_ENTROPY -> 1;
            case CATEGORICAL_CROSS_ENTROPY -> 2;
            case MEAN_SQUARED_ERROR -> 3;
        };
    }

    static Loss lossFromCode(int code) {
        return switch (code) {
            case 1 -> Loss.BINARY_CROSS_ENTROPY;
            case 2 -> Loss.CATEGORICAL_CROSS_ENTROPY;
            case 3 -> Loss.MEAN_SQUARED_ERROR;
            default -> null;
        };
    }

    /** The stable file code of a scaler kind. */
    public static int scalerCode(FeatureScaler.Kind kind) {
        return switch (kind) {
            case NONE -> 1;
            case STANDARDIZE -> 2;
            case MIN_MAX -> 3;
        };
    }

    static FeatureScaler.Kind scalerFromCode(int code) {
        return switch (code) {
            case 1 -> FeatureScaler.Kind.NONE;
            case 2 -> FeatureScaler.Kind.STANDARDIZE;
            case 3 -> FeatureScaler.Kind.MIN_MAX;
            default -> null;
        };
    }

    /** Formats bytes as space-separated upper-case hex, for messages. */
    static String hex(byte[] bytes, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                s.append(' ');
            }
            s.append(String.format("%02X", bytes[i] & 0xFF));
        }
        return s.toString();
    }
}
