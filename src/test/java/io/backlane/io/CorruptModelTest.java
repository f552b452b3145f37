package io.backlane.io;

import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged and hostile version-1 inputs (the previous format, which readers keep reading; version 2
 * has {@link CorruptModelV2Test}). Each must raise exactly the {@link ModelFormatException} subclass that
 * docs/model-format.md assigns to it, and nothing else (no IndexOutOfBounds, no OutOfMemoryError).
 */
class CorruptModelTest {
    private static final String NAME = "small.bkln";
    private static final byte[] GOOD = TestModels.v1Bytes(TestModels.small());

    // Offsets of the small model's fields, from the layout in docs/model-format.md.
    private static final int ARCH = 32;
    private static final int INPUT_WIDTH = ARCH;
    private static final int LAYER_COUNT = ARCH + 4;
    private static final int LAYER1_WIDTH = ARCH + 8;
    private static final int LAYER1_ACTIVATION = ARCH + 12;
    private static final int LAYER1_SLOPE = ARCH + 16;
    private static final int LAYER2_ACTIVATION = ARCH + 24;
    private static final int LAYER2_SLOPE = ARCH + 28;
    private static final int LOSS = ARCH + 32;
    private static final int SCALER = TestModels.sectionStart(GOOD, 1);
    private static final int PARAMS = TestModels.sectionStart(GOOD, 2);
    private static final int LABELS = TestModels.sectionStart(GOOD, 3);

    /** Reads bytes that must fail, and returns the exception after checking that it is a documented type. */
    private static ModelFormatException fails(byte[] bytes, String context) {
        return TestModels.readFails(bytes, NAME, context);
    }

    private static <T extends ModelFormatException> T failsWith(Class<T> type, byte[] bytes, String context) {
        return TestModels.readFailsWith(type, bytes, NAME, context);
    }

    private static byte[] good() {
        return GOOD.clone();
    }

    private static byte[] withU32(int offset, long value) {
        byte[] b = good();
        TestModels.putU32(b, offset, value);
        return TestModels.reseal(b);
    }

    private static byte[] withFloat(int offset, float value) {
        return withU32(offset, Float.floatToRawIntBits(value) & 0xFFFF_FFFFL);
    }

    @Test
    void theVersion1BytesOfTheseTestsAreThoseOfTheVersion1Writer() throws Exception {
        var url = CorruptModelTest.class.getResource(GoldenModels.FILE);
        assertArrayEquals(Files.readAllBytes(Path.of(url.toURI())), TestModels.v1Bytes(GoldenModels.model()));
    }

    @Test
    void theSmallModelIsSmallAndLaidOutAsDocumented() throws IOException {
        assertEquals(226, GOOD.length);
        assertEquals(68, SCALER);
        assertEquals(100, PARAMS);
        assertEquals(208, LABELS);
        ModelReader.read(GOOD);   // the baseline is valid
    }

    @Test
    void everyTruncationIsReportedAsTruncated() {
        for (int len = 0; len < GOOD.length; len++) {
            TruncatedModelException e = failsWith(TruncatedModelException.class, Arrays.copyOf(GOOD, len),
                    "truncated to " + len + " bytes");
            assertEquals(len, e.offset(), "the offset is where the data ends");
        }
    }

    /** Which exception a change to the byte at {@code offset} must raise: see "Order of checks". */
    private static Class<? extends ModelFormatException> expectedForChangeAt(int offset) {
        if (offset < 8) {
            return BadMagicException.class;
        }
        if (offset < 12) {
            return UnsupportedVersionException.class;
        }
        return ChecksumMismatchException.class;   // header CRC for 12..31, file CRC for the rest
    }

    @Test
    void everyByteInvertedIsDetected() {
        for (int i = 0; i < GOOD.length; i++) {
            byte[] b = good();
            b[i] ^= (byte) 0xFF;
            failsWith(expectedForChangeAt(i), b, "byte " + i + " inverted");
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        for (int i = 0; i < GOOD.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good();
                b[i] ^= (byte) (1 << bit);
                ModelFormatException e = failsWith(expectedForChangeAt(i), b, "byte " + i + " bit " + bit + " flipped");
                if (i >= 32 && i < GOOD.length - 4) {
                    assertTrue(e.getMessage().contains("file checksum mismatch"), e.getMessage());
                }
            }
        }
    }

    @Test
    void aHeaderChangeIsCaughtByTheHeaderChecksumNotByTheSizeChecks() {
        byte[] b = good();
        TestModels.putU32(b, 24, 0x7FFF_FFFFL);   // labels section length, header CRC left stale
        assertTrue(failsWith(ChecksumMismatchException.class, b, "").getMessage().contains("header checksum"));
    }

    @Test
    void emptyAndNonModelInputs() {
        assertTrue(failsWith(TruncatedModelException.class, new byte[0], "empty").getMessage().contains("empty"));
        failsWith(BadMagicException.class, "sepal_length,sepal_width\n5.1,3.5\n".getBytes(StandardCharsets.US_ASCII), "csv");
        failsWith(BadMagicException.class, new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, "png");
        failsWith(BadMagicException.class, new byte[]{'x'}, "one byte");
        BadMagicException e = failsWith(BadMagicException.class, "{\"model\": 1}".getBytes(StandardCharsets.US_ASCII), "json");
        assertTrue(e.getMessage().contains("expected magic 89 42 4B 4C 4E 0D 0A 1A, found 7B 22 6D 6F 64 65 6C 22"),
                e.getMessage());
    }

    /** The damage the magic bytes are designed to catch, with a hint naming the likely cause. */
    @Test
    void textModeTransfersAreRecognised() {
        byte[] lfToCrlf = new byte[GOOD.length + 1];       // Unix → Windows: 0A becomes 0D 0A
        System.arraycopy(GOOD, 0, lfToCrlf, 0, 6);
        lfToCrlf[6] = 0x0D;
        System.arraycopy(GOOD, 6, lfToCrlf, 7, GOOD.length - 6);
        byte[] crlfToLf = new byte[GOOD.length - 1];       // Windows → Unix: 0D 0A becomes 0A
        System.arraycopy(GOOD, 0, crlfToLf, 0, 5);
        System.arraycopy(GOOD, 6, crlfToLf, 5, GOOD.length - 6);
        byte[] sevenBit = good();                          // high bit stripped
        sevenBit[0] &= 0x7F;
        byte[] asText = new byte[GOOD.length + 2];         // decoded as text and re-encoded as UTF-8: 89 → EF BF BD
        asText[0] = (byte) 0xEF;
        asText[1] = (byte) 0xBF;
        asText[2] = (byte) 0xBD;
        System.arraycopy(GOOD, 1, asText, 3, GOOD.length - 1);
        for (byte[] b : new byte[][]{lfToCrlf, crlfToLf, sevenBit, asText}) {
            BadMagicException e = failsWith(BadMagicException.class, b, "text-mode damage");
            assertTrue(e.getMessage().contains("text-mode transfer"), e.getMessage());
        }
    }

    @Test
    void unknownVersionsAreRefusedEvenWithValidChecksums() {
        UnsupportedVersionException newer = failsWith(UnsupportedVersionException.class, withU32(8, 3), "version 3");
        assertEquals(3, newer.foundVersion());
        assertEquals(2, newer.supportedVersion());
        assertTrue(newer.getMessage().contains("version 3 is newer than this reader supports (version 2)"),
                newer.getMessage());
        // A version-1 file relabelled as version 2 is judged by version 2's header: its CRC is elsewhere.
        byte[] relabelled = good();
        TestModels.putU32(relabelled, 8, 2);
        failsWith(ChecksumMismatchException.class, relabelled, "version 1 bytes declared as version 2");
        failsWith(UnsupportedVersionException.class, withU32(8, 0xFFFF_FFFFL), "version 2^32-1");
        assertTrue(failsWith(UnsupportedVersionException.class, withU32(8, 0), "version 0").getMessage()
                .contains("version 0 is not valid"));
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] b = Arrays.copyOf(GOOD, GOOD.length + 3);
        CorruptModelException e = failsWith(CorruptModelException.class, b, "3 bytes appended");
        assertTrue(e.getMessage().contains("3 trailing bytes"), e.getMessage());
        assertEquals(GOOD.length, e.offset());
        // Two models concatenated: still one file with garbage after it.
        byte[] two = Arrays.copyOf(GOOD, 2 * GOOD.length);
        System.arraycopy(GOOD, 0, two, GOOD.length, GOOD.length);
        failsWith(CorruptModelException.class, two, "two models");
    }

    @Test
    void absurdSectionLengthsInTheHeader() {
        for (int s = 0; s < 4; s++) {
            CorruptModelException e = failsWith(CorruptModelException.class, withU32(12 + 4 * s, 0x7FFF_FFFFL),
                    "section " + s + " claims 2^31-1 bytes");
            assertTrue(e.getMessage().contains("allows at most"), e.getMessage());
            failsWith(CorruptModelException.class, withU32(12 + 4 * s, 0xFFFF_FFFFL), "section " + s + " claims 2^32-1");
        }
        // Each within the limit, together over it.
        byte[] b = good();
        for (int s = 0; s < 4; s++) {
            TestModels.putU32(b, 12 + 4 * s, 1L << 29);
        }
        failsWith(CorruptModelException.class, TestModels.reseal(b), "sections summing to 2 GiB");
        // Plausible but more than the file holds: the file was cut short.
        TruncatedModelException t = failsWith(TruncatedModelException.class, withU32(24, 1_000_000), "labels 1 MB");
        assertTrue(t.getMessage().contains("declares 1000212 bytes, found only 226"), t.getMessage());
    }

    @Test
    void absurdCountsInsideSections() {
        failsWith(CorruptModelException.class, withU32(PARAMS, 0x7FFF_FFFFL), "2^31-1 parameters");
        failsWith(CorruptModelException.class, withU32(PARAMS, 0xFFFF_FFFFL), "2^32-1 parameters");
        failsWith(CorruptModelException.class, withU32(PARAMS, 25), "one parameter fewer");
        failsWith(CorruptModelException.class, withU32(LAYER1_WIDTH, 1L << 30), "layer width 2^30");
        failsWith(CorruptModelException.class, withU32(LAYER1_WIDTH, 1L << 24), "layer width 2^24 (at the limit)");
        failsWith(CorruptModelException.class, withU32(LAYER1_WIDTH, 0), "layer width 0");
        failsWith(CorruptModelException.class, withU32(INPUT_WIDTH, 0xFFFF_FFFFL), "input width 2^32-1");
        failsWith(CorruptModelException.class, withU32(INPUT_WIDTH, 4), "input width differs from the scaler's");
        failsWith(CorruptModelException.class, withU32(LAYER_COUNT, 0x7FFF_FFFFL), "2^31-1 layers");
        failsWith(CorruptModelException.class, withU32(LAYER_COUNT, 1000), "1000 layers in 36 bytes");
        failsWith(CorruptModelException.class, withU32(LAYER_COUNT, 1), "one layer fewer than the section holds");
        failsWith(CorruptModelException.class, withU32(LAYER_COUNT, 0), "no layers");
        failsWith(CorruptModelException.class, withU32(SCALER + 4, 1L << 30), "scaler width 2^30");
        CorruptModelException labels = failsWith(CorruptModelException.class, withU32(LABELS, 1_000_000_000L),
                "10^9 labels");
        assertTrue(labels.getMessage().contains("labels section"), labels.getMessage());
        failsWith(CorruptModelException.class, withU32(LABELS, 3), "3 labels in the bytes of 2");
        failsWith(CorruptModelException.class, withU32(LABELS + 4, 0x7FFF_FFFFL), "label of 2^31-1 bytes");
        failsWith(CorruptModelException.class, withU32(LABELS + 4, 50), "label longer than the section");
    }

    @Test
    void hostileSizesAreRefusedQuicklyWithoutHugeAllocations() {
        long before = usedHeap();
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 200; i++) {
                failsWith(CorruptModelException.class, withU32(PARAMS, 0x7FFF_FFFFL), "2^31-1 parameters");
                failsWith(CorruptModelException.class, withU32(LABELS, 1_000_000_000L), "10^9 labels");
                failsWith(CorruptModelException.class, withU32(LAYER_COUNT, 0x7FFF_FFFFL), "2^31-1 layers");
            }
        });
        // Not a precise measure (GC may run), but a gigabyte-sized allocation would show.
        assertTrue(usedHeap() - before < 256L << 20, "heap grew by " + ((usedHeap() - before) >> 20) + " MiB");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void unknownCodes() {
        assertTrue(failsWith(CorruptModelException.class, withU32(LAYER1_ACTIVATION, 99), "activation 99")
                .getMessage().contains("unknown activation code 99"));
        failsWith(CorruptModelException.class, withU32(LAYER1_ACTIVATION, 0), "activation 0");
        failsWith(CorruptModelException.class, withU32(LAYER1_ACTIVATION, 0x8000_0001L), "activation 2^31+1");
        failsWith(CorruptModelException.class, withU32(LOSS, 0), "loss 0");
        assertTrue(failsWith(CorruptModelException.class, withU32(LOSS, 4), "loss 4")
                .getMessage().contains("unknown loss code 4"));
        failsWith(CorruptModelException.class, withU32(SCALER, 0), "scaler kind 0");
        failsWith(CorruptModelException.class, withU32(SCALER, 9), "scaler kind 9");
    }

    @Test
    void architecturesTheLibraryRefuses() throws IOException {
        CorruptModelException e = failsWith(CorruptModelException.class, withU32(LOSS, 1), "softmax with BCE");
        assertTrue(e.getMessage().contains("binary_cross_entropy needs a sigmoid output"), e.getMessage());
        failsWith(CorruptModelException.class, withU32(LAYER1_ACTIVATION, 6), "softmax on a hidden layer");
        failsWith(CorruptModelException.class, withU32(LAYER2_ACTIVATION, 2), "CCE with a tanh output");
        failsWith(CorruptModelException.class, withFloat(LAYER1_SLOPE, 0.5f), "tanh layer with a slope");
        failsWith(CorruptModelException.class, withFloat(LAYER2_SLOPE, -0f), "softmax layer with slope -0");
        byte[] leaky = good();
        TestModels.putU32(leaky, LAYER1_ACTIVATION, 4);
        TestModels.putU32(leaky, LAYER1_SLOPE, Float.floatToRawIntBits(1.5f));
        assertTrue(failsWith(CorruptModelException.class, TestModels.reseal(leaky), "leaky slope 1.5")
                .getMessage().contains("slope must be in [0, 1)"));
        TestModels.putU32(leaky, LAYER1_SLOPE, Float.floatToRawIntBits(Float.NaN));
        failsWith(CorruptModelException.class, TestModels.reseal(leaky), "leaky slope NaN");
        TestModels.putU32(leaky, LAYER1_SLOPE, Float.floatToRawIntBits(0.25f));
        ModelReader.read(TestModels.reseal(leaky)).network();   // a valid leaky layer, to show the test's premise
    }

    @Test
    void invalidScalerValues() {
        failsWith(CorruptModelException.class, withFloat(SCALER + 8, Float.NaN), "NaN shift");
        failsWith(CorruptModelException.class, withFloat(SCALER + 8 + 12, Float.POSITIVE_INFINITY), "infinite scale");
    }

    @Test
    void nonFiniteParametersAreRefusedByNameAndOffset() {
        // the small model is 3-4(tanh)-2(softmax): parameter 0 is W[1][0][0]; 12 weights, then b[1]
        CorruptModelException nan = failsWith(CorruptModelException.class, withFloat(PARAMS + 4, Float.NaN), "NaN weight");
        assertTrue(nan.getMessage().contains("parameter W[1][0][0] is NaN"), nan.getMessage());
        assertEquals(PARAMS + 4, nan.offset());
        CorruptModelException inf = failsWith(CorruptModelException.class,
                withFloat(PARAMS + 4 + 4 * 13, Float.NEGATIVE_INFINITY), "infinite bias");
        assertTrue(inf.getMessage().contains("parameter b[1][1] is -Infinity"), inf.getMessage());
    }

    @Test
    void invalidLabels() {
        byte[] b = good();
        b[LABELS + 8] = (byte) 0xFF;   // first byte of label 0: never valid in UTF-8
        assertTrue(failsWith(CorruptModelException.class, TestModels.reseal(b), "0xFF in a label")
                .getMessage().contains("not valid UTF-8"));
        b = good();
        b[LABELS + 8] = (byte) 0xC3;   // a 2-byte sequence cut off by the end of the label
        failsWith(CorruptModelException.class, TestModels.reseal(b), "cut UTF-8 sequence");
        // One label whose bytes swallow the second: valid UTF-8, but 1 label for 2 outputs.
        b = good();
        TestModels.putU32(b, LABELS, 1);
        TestModels.putU32(b, LABELS + 4, 1 + 4 + 1);
        CorruptModelException e = failsWith(CorruptModelException.class, TestModels.reseal(b), "1 label for 2 outputs");
        assertTrue(e.getMessage().contains("1 class labels"), e.getMessage());
        // No labels, and the label bytes left over: the section holds more than its content.
        failsWith(CorruptModelException.class, withU32(LABELS, 0), "0 labels and 10 unexplained bytes");
    }

    @Test
    void sectionLongerThanItsContent() {
        // Declare 4 more architecture bytes and insert them: sizes add up, checksums pass, the section has junk.
        byte[] b = new byte[GOOD.length + 4];
        System.arraycopy(GOOD, 0, b, 0, SCALER);
        System.arraycopy(GOOD, SCALER, b, SCALER + 4, GOOD.length - SCALER);
        TestModels.putU32(b, 12, TestModels.u32(GOOD, 12) + 4);
        CorruptModelException e = failsWith(CorruptModelException.class, TestModels.reseal(b), "4 junk bytes");
        assertTrue(e.getMessage().contains("architecture section: 4 unexpected bytes"), e.getMessage());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path huge = dir.resolve("huge.bkln");
        try (var f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.write(GOOD);
            f.setLength(3L << 30);   // sparse on Linux file systems: 3 GiB declared, almost nothing stored
        }
        CorruptModelException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrowsExactly(CorruptModelException.class, () -> ModelReader.load(huge)));
        assertTrue(e.getMessage().contains("the file is 3221225472 bytes; the model format allows at most 2147483639"),
                e.getMessage());
    }

    /** Refusing {@code file} must allocate far less than the file: the reader streams its header first. */
    private static long bytesAllocatedToRefuse(Path file, Class<? extends ModelFormatException> expected) {
        return AllocationProbe.allocated(() -> assertThrowsExactly(expected, () -> ModelReader.load(file)));
    }

    @Test
    void aLargeFileThatIsNotAModelIsRefusedAfterItsFirstBytes(@TempDir Path dir) throws IOException {
        Path zip = dir.resolve("archive.zip");
        try (var f = new java.io.RandomAccessFile(zip.toFile(), "rw")) {
            f.write(new byte[] {'P', 'K', 3, 4});
            f.setLength(1L << 30);   // sparse: 1 GiB declared, almost nothing stored
        }
        long allocated = bytesAllocatedToRefuse(zip, BadMagicException.class);
        assertTrue(allocated < (1 << 20), "refusing a 1 GiB non-model file allocated " + allocated + " bytes");
    }

    @Test
    void aHeaderThatDeclaresMoreThanTheFileHoldsIsRefusedBeforeTheBodyIsRead(@TempDir Path dir) throws IOException {
        byte[] b = good();
        TestModels.putU32(b, 20, 1_000_000_000L);   // the parameters section: 1 GB declared, 108 bytes present
        TestModels.reseal(b);
        Path file = Files.write(dir.resolve("claims-1gb.bkln"), b);
        long allocated = bytesAllocatedToRefuse(file, TruncatedModelException.class);
        assertTrue(allocated < (1 << 20), "refusing allocated " + allocated + " bytes");
        // The same bytes as a stream of unknown length: the buffer grows only with the bytes that arrive.
        long streamed = AllocationProbe.allocated(() -> assertThrowsExactly(TruncatedModelException.class,
                () -> ModelReader.read(new ByteArrayInputStream(b))));
        assertTrue(streamed < (1 << 20), "refusing the stream allocated " + streamed + " bytes");
    }

    @Test
    void aStreamLongerThanItsHeaderDeclaresIsRefusedWithoutReadingToItsEnd() {
        byte[] b = Arrays.copyOf(GOOD, GOOD.length + 5);
        CorruptModelException e = assertThrowsExactly(CorruptModelException.class,
                () -> ModelReader.read(new ByteArrayInputStream(b), "pipe"));
        assertTrue(e.getMessage().startsWith("pipe: trailing bytes after the end of the model"), e.getMessage());
        assertEquals(GOOD.length, e.offset());
    }

    @Test
    void streamsAndFilesReportTheSameWay(@TempDir Path dir) throws IOException {
        byte[] cut = Arrays.copyOf(GOOD, 100);
        assertThrowsExactly(TruncatedModelException.class, () -> ModelReader.read(new ByteArrayInputStream(cut)));
        Path file = dir.resolve("cut.bkln");
        Files.write(file, cut);
        TruncatedModelException e = assertThrowsExactly(TruncatedModelException.class, () -> ModelReader.load(file));
        assertTrue(e.getMessage().startsWith(file + ": truncated"), e.getMessage());
        assertEquals(file.toString(), e.source());
        // A missing file is an I/O problem, not a format problem.
        IOException missing = assertThrows(IOException.class, () -> ModelReader.load(dir.resolve("none.bkln")));
        assertEquals(NoSuchFileException.class, missing.getClass());
    }
}
