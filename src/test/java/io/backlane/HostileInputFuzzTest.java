package io.backlane;

import io.backlane.data.CsvLoader;
import io.backlane.data.DataFormatException;
import io.backlane.data.IdxLoader;
import io.backlane.io.BadMagicException;
import io.backlane.io.CorruptModelException;
import io.backlane.io.ModelFormatException;
import io.backlane.io.ModelReader;
import io.backlane.io.ModelWriter;
import io.backlane.io.OnnxFormatException;
import io.backlane.io.OnnxReader;
import io.backlane.io.OnnxWriter;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random, truncated, mutated and size-lying inputs for the three readers of untrusted bytes (CSV,
 * IDX, model files), from fixed seeds so that a failure is reproducible. Each input must either load
 * or fail with the reader's documented exception: {@link DataFormatException} for CSV and IDX,
 * a {@link ModelFormatException} subclass for models. Anything else, an OutOfMemoryError above all,
 * fails the test and names the seed and case.
 *
 * <p>Runs only in surefire's {@code small-heap} execution, a JVM with {@code -Xmx64m}: a reader that
 * sized anything by what a header or a line claims rather than by the bytes present would run out
 * of memory here. Each batch has a generous hang guard, not a performance limit.
 */
@Tag("small-heap")
class HostileInputFuzzTest {
    @BeforeAll
    static void runsInTheSmallHeapExecution() {
        long max = Runtime.getRuntime().maxMemory();
        assertTrue(max <= 64L << 20, "this class must run in surefire's small-heap execution (-Xmx64m); the heap is "
                + (max >> 20) + " MiB");
    }

    private static final long SEED = 20240611L;
    private static final int CASES = 400;
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    /** What one case did: loaded, or failed as documented. Anything else is thrown from {@link #expect}. */
    @FunctionalInterface
    private interface Load {
        void run() throws Exception;
    }

    private static void expect(Class<? extends Exception> documented, String context, Load load) {
        try {
            load.run();
        } catch (Exception e) {
            if (!documented.isInstance(e)) {
                throw new AssertionError(context + ": expected " + documented.getSimpleName() + " or success, got " + e, e);
            }
        } catch (Throwable t) {   // OutOfMemoryError, StackOverflowError, assertion errors of the readers
            throw new AssertionError(context + ": expected " + documented.getSimpleName() + " or success, got " + t, t);
        }
    }

    // ---------------------------------------------------------------------------------- models

    /** A version-2 classifier with every field set (the writer writes version 2). */
    private static byte[] validModel() {
        Network net = Network.builder(4).dense(5, Activation.TANH).output(OutputHead.forClasses(3)).build();
        return ModelWriter.toBytes(new Model(Parameters.initialize(net, 3L), FeatureScaler.identity(4),
                List.of("setosa", "versicolor", "virginica"))
                .withFeatureNames(List.of("sepal length", "sepal width", "petal length", "petal width"))
                .withMetadata(java.util.Map.of("created", "2024-06-11T12:00:00Z", "command", "train iris.csv")));
    }

    /** A version-2 regression model with a target scaler. */
    private static byte[] validRegressionModel() {
        Network net = Network.builder(3).dense(4, Activation.RELU).output(OutputHead.forRegression()).build();
        return ModelWriter.toBytes(new Model(Parameters.initialize(net, 5L), FeatureScaler.identity(3), List.of())
                .withFeatureNames(List.of("area", "rooms", "age"))
                .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE, new float[]{2e5f}, new float[]{2e-5f})));
    }

    /** The committed version-1 golden file: version 1 is still read. */
    private static byte[] validVersion1Model() throws IOException {
        try (InputStream in = HostileInputFuzzTest.class.getResourceAsStream("/io/backlane/io/golden-v1.bkln")) {
            assertTrue(in != null, "golden-v1.bkln missing from the test resources");
            return in.readAllBytes();
        }
    }

    /** The size of the header of a file of this version: 32 bytes in version 1, 48 in version 2. */
    private static int headerLength(byte[] good) {
        return good[8] == 1 ? 32 : 48;
    }

    private static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static long crc(byte[] b, int to) {
        CRC32C c = new CRC32C();
        c.update(b, 0, to);
        return c.getValue();
    }

    /**
     * Recomputes the header CRC of a file with a {@code header}-byte header, and the file CRC when the
     * bytes reach that far: the damage then gets past the checksums.
     */
    private static byte[] reseal(byte[] b, int header) {
        if (b.length >= header) {
            putU32(b, header - 4, crc(b, header - 4));
        }
        if (b.length >= header + 4) {
            putU32(b, b.length - 4, crc(b, b.length - 4));
        }
        return b;
    }

    private static final long[] HUGE = {0xFFFF_FFFFL, 0x7FFF_FFF7L, 0x7FFF_FFFFL, 1L << 24, (1L << 24) + 1, 1L << 16,
            (1L << 16) + 1, 1_000_000_000L};

    private static byte[] mutatedModel(byte[] good, SplittableRandom r) {
        int header = headerLength(good);
        return switch (r.nextInt(8)) {
            case 0 -> randomBytes(r, r.nextInt(600));
            case 1 -> Arrays.copyOf(good, r.nextInt(good.length));
            case 2 -> flip(good.clone(), r, 1 + r.nextInt(4));
            case 3 -> reseal(flip(good.clone(), r, 1 + r.nextInt(4)), header);
            case 4 -> {   // a huge count, width or length anywhere after the version, checksums made to match
                byte[] b = good.clone();
                putU32(b, 12 + 4 * r.nextInt((b.length - 16) / 4), HUGE[r.nextInt(HUGE.length)]);
                yield reseal(b, header);
            }
            case 5 -> {   // a header declaring a huge section over a body that is not there
                byte[] b = Arrays.copyOf(good, header + r.nextInt(good.length - header));
                putU32(b, 12 + 4 * r.nextInt((header - 16) / 4), HUGE[r.nextInt(HUGE.length)]);
                putU32(b, header - 4, crc(b, header - 4));
                yield b;
            }
            case 6 -> {   // the other version's number on this version's bytes, checksums made to match either way
                byte[] b = good.clone();
                putU32(b, 8, good[8] == 1 ? 2 : 1);
                yield reseal(b, r.nextBoolean() ? header : headerLength(b));
            }
            default -> {   // garbage after a valid model
                byte[] tail = randomBytes(r, 1 + r.nextInt(64));
                byte[] b = Arrays.copyOf(good, good.length + tail.length);
                System.arraycopy(tail, 0, b, good.length, tail.length);
                yield r.nextBoolean() ? reseal(b, header) : b;
            }
        };
    }

    @Test
    void modelReaderFuzz() throws IOException {
        List<byte[]> goods = List.of(validModel(), validRegressionModel(), validVersion1Model());
        for (byte[] good : goods) {
            ModelReader.read(good);   // the baselines are valid
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] good = goods.get(i % goods.size());
                byte[] b = mutatedModel(good, new SplittableRandom(SEED + i));
                String context = "model case " + i + " (seed " + (SEED + i) + ")";
                expect(ModelFormatException.class, context, () -> ModelReader.read(b, "case"));
                expect(ModelFormatException.class, context + " as a stream",
                        () -> ModelReader.read(new ByteArrayInputStream(b), "case"));
            }
        });
    }

    @Test
    void modelFilesThatNeverEndAreReadOnlyAsFarAsTheHeaderDeclares() {
        Path zero = Path.of("/dev/zero");
        if (Files.isReadable(zero)) {   // a character device: its size reads as 0
            BadMagicException e = assertThrows(BadMagicException.class, () -> ModelReader.load(zero));
            assertEquals(0, e.offset());
        }
        byte[] good = validModel();
        InputStream endless = new InputStream() {   // a valid model, then zeros for ever
            private long at;

            @Override
            public int read() {
                return at < good.length ? good[(int) at++] & 0xFF : 0;
            }
        };
        CorruptModelException e = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(CorruptModelException.class, () -> ModelReader.read(endless, "pipe")));
        assertTrue(e.getMessage().startsWith("pipe: trailing bytes"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------- ONNX

    /** ONNX files to damage: backlane's exports of the two valid models, and one that PyTorch exported. */
    private static List<byte[]> validOnnxFiles() throws IOException {
        try (InputStream in = HostileInputFuzzTest.class.getResourceAsStream(
                "/io/backlane/io/onnx/normalized_gemm_relu_softmax_opset17.onnx")) {
            assertTrue(in != null, "the PyTorch fixture is missing from the test resources");
            return List.of(OnnxWriter.toBytes(ModelReader.read(validModel())),
                    OnnxWriter.toBytes(ModelReader.read(validRegressionModel()), 11), in.readAllBytes());
        }
    }

    /** Protobuf's worst: varints of 10 bytes, lengths near 2^31 and 2^64, keys of unused wire types and field 0. */
    private static final byte[][] PROTO_TOKENS = {
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07},
            {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                    (byte) 0xFF, 0x01},
            {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                    (byte) 0x80, (byte) 0x80, 0x01},
            {0x0B}, {0x0C}, {0x06}, {0x00}, {0x3A, (byte) 0xFF, (byte) 0xFF, 0x03}, {0x4A, 0x7F},
            {0x0A, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}};

    private static byte[] mutatedOnnx(byte[] good, SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> randomBytes(r, r.nextInt(600));
            case 1 -> Arrays.copyOf(good, r.nextInt(good.length));
            case 2 -> flip(good.clone(), r, 1 + r.nextInt(4));
            case 3 -> {   // a protobuf token written over the bytes at a random offset
                byte[] b = good.clone();
                byte[] token = PROTO_TOKENS[r.nextInt(PROTO_TOKENS.length)];
                int at = r.nextInt(b.length);
                System.arraycopy(token, 0, b, at, Math.min(token.length, b.length - at));
                yield b;
            }
            default -> {   // a protobuf token inserted at a random offset
                byte[] token = PROTO_TOKENS[r.nextInt(PROTO_TOKENS.length)];
                int at = r.nextInt(good.length + 1);
                byte[] b = new byte[good.length + token.length];
                System.arraycopy(good, 0, b, 0, at);
                System.arraycopy(token, 0, b, at, token.length);
                System.arraycopy(good, at, b, at + token.length, good.length - at);
                yield b;
            }
        };
    }

    @Test
    void onnxReaderFuzz() throws IOException {
        List<byte[]> goods = validOnnxFiles();
        for (byte[] good : goods) {
            OnnxReader.read(good, "baseline");   // the baselines are valid
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < 4 * CASES; i++) {
                byte[] b = mutatedOnnx(goods.get(i % goods.size()), new SplittableRandom(SEED + i));
                expect(OnnxFormatException.class, "ONNX case " + i + " (seed " + (SEED + i) + ")",
                        () -> OnnxReader.read(b, "case"));
            }
        });
    }

    /**
     * Protobuf has no length header: a prefix that ends between two top-level fields is itself a valid
     * message (a model without its trailing metadata, say). So every prefix must load or fail as
     * documented, and every prefix that ends inside the graph must fail.
     */
    @Test
    void onnxFilesCutAtEveryLengthLoadOrFailAsDocumented() throws IOException {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (byte[] good : validOnnxFiles()) {
                int failures = 0;
                for (int n = 0; n < good.length; n++) {
                    byte[] prefix = Arrays.copyOf(good, n);
                    try {
                        OnnxReader.read(prefix, "prefix");
                    } catch (OnnxFormatException e) {
                        failures++;
                    } catch (Throwable t) {
                        throw new AssertionError("prefix of " + n + " bytes: expected OnnxFormatException or success,"
                                + " got " + t, t);
                    }
                }
                assertTrue(failures >= good.length / 2, failures + " of " + good.length + " prefixes failed");
            }
        });
    }

    @Test
    void anEndlessOnnxInputIsRefusedByItsFirstByte() {
        Path zero = Path.of("/dev/zero");
        if (Files.isReadable(zero)) {
            OnnxFormatException e = assertTimeoutPreemptively(HANG_GUARD,
                    () -> assertThrows(OnnxFormatException.class, () -> OnnxReader.load(zero)));
            assertEquals(0, e.offset());
        }
    }

    // ---------------------------------------------------------------------------------- CSV

    private static final String[] CSV_TOKENS = {",", "\"", "\"\"", "\n", "\r", "\r\n", " ", "\t", "nan", "-inf", "1e999",
            "\uFEFF", "\u00e9", "-", ".", "e5", "0x1p3", "label", "a", "9", "", "\u0000"};

    private static String validCsv(SplittableRandom r) {
        StringBuilder s = new StringBuilder("a,b,\"c, d\",label\n");
        int rows = 1 + r.nextInt(12);
        for (int i = 0; i < rows; i++) {
            s.append(r.nextInt(100) - 50).append(',').append(r.nextDouble() * 10).append(',')
                    .append(r.nextInt(3)).append("e-1,").append(r.nextBoolean() ? "cat" : "dog").append('\n');
        }
        return s.toString();
    }

    private static byte[] mutatedCsv(SplittableRandom r) {
        byte[] good = validCsv(r).getBytes(StandardCharsets.UTF_8);
        return switch (r.nextInt(5)) {
            case 0 -> randomBytes(r, r.nextInt(400));
            case 1 -> Arrays.copyOf(good, r.nextInt(good.length + 1));
            case 2 -> flip(good, r, 1 + r.nextInt(6));   // including bytes that are not UTF-8
            default -> {   // tokens spliced in: quotes, separators, line ends, special numbers
                String s = new String(good, StandardCharsets.UTF_8);
                for (int k = 1 + r.nextInt(5); k > 0; k--) {
                    int at = r.nextInt(s.length() + 1);
                    int cut = Math.min(s.length(), at + r.nextInt(3));
                    s = s.substring(0, at) + CSV_TOKENS[r.nextInt(CSV_TOKENS.length)] + s.substring(cut);
                }
                yield s.getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static final List<CsvLoader> CSV_LOADERS = List.of(
            CsvLoader.classification().build(),
            CsvLoader.classification().labelColumn("label").classLabels(List.of("cat", "dog")).build(),
            CsvLoader.regression().labelColumn(0).build(),
            CsvLoader.featuresOnly().maxLineLength(40).build());

    @Test
    void csvLoaderFuzz() {
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < CASES; i++) {
                SplittableRandom r = new SplittableRandom(SEED + i);
                byte[] b = mutatedCsv(r);
                CsvLoader loader = CSV_LOADERS.get(r.nextInt(CSV_LOADERS.size()));
                String context = "CSV case " + i + " (seed " + (SEED + i) + ", loader " + loader.mode() + ")";
                expect(DataFormatException.class, context, () -> loader.load(new ByteArrayInputStream(b), "case"));
                expect(DataFormatException.class, context + " as characters", () -> loader.load(
                        new InputStreamReader(new ByteArrayInputStream(b), StandardCharsets.UTF_8), "case"));
            }
        });
    }

    /** "a,b" and then one row of {@code cells} cells "0", generated as it is read. */
    private static InputStream wideRow(long cells) {
        byte[] header = "a,b\n".getBytes(StandardCharsets.US_ASCII);
        long length = header.length + 2 * cells;
        return new InputStream() {
            private long at;

            @Override
            public int read() {
                if (at >= length) {
                    return -1;
                }
                long i = at++;
                if (i < header.length) {
                    return header[(int) i];
                }
                return (i - header.length) % 2 == 0 ? '0' : i == length - 1 ? '\n' : ',';
            }
        };
    }

    @Test
    void aRowOfMillionsOfCellsOrALineWithoutEndFitsInASmallHeap() {
        // 10 MB, 5,000,000 cells: split whole, the cells alone would take about 200 MB.
        CsvLoader roomy = CsvLoader.classification().maxLineLength(16 << 20).build();
        DataFormatException wide = assertTimeoutPreemptively(HANG_GUARD,
                () -> assertThrows(DataFormatException.class, () -> roomy.load(wideRow(5_000_000), "wide.csv")));
        assertTrue(wide.getMessage().startsWith("wide.csv, line 2, column 3: the row has more than 2 cells"),
                wide.getMessage());
        // No line break for 1 GB: stopped at the default limit.
        DataFormatException endless = assertTimeoutPreemptively(HANG_GUARD, () -> assertThrows(
                DataFormatException.class, () -> CsvLoader.featuresOnly().build().load(wideRow(500_000_000), "blob")));
        assertTrue(endless.getMessage().startsWith("blob, line 2: line is longer than"), endless.getMessage());
    }

    // ---------------------------------------------------------------------------------- IDX

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int v : concat(magic, dims)) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static int[] concat(int first, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static final int[] HUGE_DIMS = {0x7FFF_FFFF, 60_000, 1 << 20, 28, -1, 0};

    private static byte[] mutatedIdx(byte[] good, int ndims, SplittableRandom r) throws IOException {
        byte[] b = switch (r.nextInt(5)) {
            case 0 -> randomBytes(r, r.nextInt(120));
            case 1 -> Arrays.copyOf(good, r.nextInt(good.length));
            case 2 -> flip(good.clone(), r, 1 + r.nextInt(4));
            case 3 -> {   // a dimension that lies about the data that follows
                byte[] m = good.clone();
                int v = HUGE_DIMS[r.nextInt(HUGE_DIMS.length)];
                int at = 4 + 4 * r.nextInt(ndims);
                m[at] = (byte) (v >>> 24);
                m[at + 1] = (byte) (v >>> 16);
                m[at + 2] = (byte) (v >>> 8);
                m[at + 3] = (byte) v;
                yield m;
            }
            default -> Arrays.copyOf(good, good.length + 1 + r.nextInt(16));   // trailing bytes
        };
        if (r.nextInt(4) == 0) {   // the same damage inside gzip, or gzip itself damaged
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
                gz.write(b);
            }
            b = z.toByteArray();
            if (r.nextBoolean()) {
                b = r.nextBoolean() ? Arrays.copyOf(b, r.nextInt(b.length)) : flip(b, r, 1);
            }
        }
        return b;
    }

    @Test
    void idxLoaderFuzz() throws IOException {
        byte[] pixels = new byte[5 * 4 * 4];
        byte[] labels = {0, 9, 3, 3, 7};
        new SplittableRandom(SEED).nextBytes(pixels);
        byte[] goodImages = idx(0x0803, new int[] {5, 4, 4}, pixels);
        byte[] goodLabels = idx(0x0801, new int[] {5}, labels);
        Path images = dir.resolve("images-idx3-ubyte");
        Path labelFile = dir.resolve("labels-idx1-ubyte");
        assertEquals(5, IdxLoader.load(Files.write(images, goodImages), Files.write(labelFile, goodLabels)).rows());
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            for (int i = 0; i < CASES / 2; i++) {
                SplittableRandom r = new SplittableRandom(SEED + i);
                boolean damageImages = r.nextBoolean();
                Files.write(images, damageImages ? mutatedIdx(goodImages, 3, r) : goodImages);
                Files.write(labelFile, damageImages ? goodLabels : mutatedIdx(goodLabels, 1, r));
                expect(DataFormatException.class, "IDX case " + i + " (seed " + (SEED + i) + ")",
                        () -> IdxLoader.load(images, labelFile));
            }
        });
    }

    // ---------------------------------------------------------------------------------- helpers

    private static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** Changes {@code count} random bytes of {@code b} in place (to a different value) and returns it. */
    private static byte[] flip(byte[] b, SplittableRandom r, int count) {
        for (int k = 0; k < count && b.length > 0; k++) {
            b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return b;
    }
}
