package io.backlane.io;

import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged and hostile version-2 inputs: the checks of {@link CorruptModelTest} on the current
 * layout, and those of the sections version 2 adds (feature names, target scaler, metadata, model
 * id). Each must raise exactly the {@link ModelFormatException} subclass that docs/model-format.md
 * assigns to it, with the byte offset of the field at fault.
 */
class CorruptModelV2Test {
    private static final String NAME = "v2.bkln";

    /** The small classifier with names and two metadata entries. */
    private static Model classifier() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("ka", "1");
        metadata.put("kb", "2");
        return TestModels.small().withFeatureNames(List.of("f0", "f1", "f2")).withMetadata(metadata);
    }

    private static final byte[] GOOD = ModelWriter.toBytes(classifier());
    private static final byte[] REGRESSION = ModelWriter.toBytes(ModelRoundTripTest.regressionWithEverything());

    private static final int PARAMS = TestModels.sectionStart(GOOD, 2);
    private static final int LABELS = TestModels.sectionStart(GOOD, 3);
    private static final int NAMES = TestModels.sectionStart(GOOD, 4);
    private static final int TARGET = TestModels.sectionStart(GOOD, 5);
    private static final int METADATA = TestModels.sectionStart(GOOD, 6);
    private static final int ID = TestModels.sectionStart(GOOD, 7);
    private static final int REGRESSION_TARGET = TestModels.sectionStart(REGRESSION, 5);

    private static ModelFormatException fails(byte[] bytes, String context) {
        return TestModels.readFails(bytes, NAME, context);
    }

    private static <T extends ModelFormatException> T failsWith(Class<T> type, byte[] bytes, String context) {
        return TestModels.readFailsWith(type, bytes, NAME, context);
    }

    private static CorruptModelException corrupt(byte[] bytes, String context, String messagePart, long offset) {
        CorruptModelException e = failsWith(CorruptModelException.class, bytes, context);
        assertTrue(e.getMessage().contains(messagePart), context + ": " + e.getMessage());
        if (offset >= 0) {
            assertEquals(offset, e.offset(), context + ": offset of " + e.getMessage());
        }
        return e;
    }

    private static byte[] withU32(byte[] good, int offset, long value) {
        byte[] b = good.clone();
        TestModels.putU32(b, offset, value);
        return TestModels.reseal(b);
    }

    private static byte[] withByte(byte[] good, int offset, int value) {
        byte[] b = good.clone();
        b[offset] = (byte) value;
        return TestModels.reseal(b);
    }

    @Test
    void theFileIsLaidOutAsDocumented() throws Exception {
        assertEquals(2, TestModels.u32(GOOD, 8));
        assertEquals(48, TestModels.sectionStart(GOOD, 0), "a 48-byte header");
        assertEquals(0, PARAMS % 4, "the parameters start 4-byte aligned");
        assertEquals(48 + 36 + 32, PARAMS);
        assertEquals(4 + 3 * (4 + 2), TARGET - NAMES);
        assertEquals(8 + 2 * 8, METADATA - TARGET);
        assertEquals(4 + 2 * (4 + 2 + 4 + 1), ID - METADATA);
        assertEquals(GOOD.length - 4 - 32, ID);
        assertEquals(classifier().id(), new String(GOOD, ID, 32, StandardCharsets.US_ASCII));
        assertEquals(classifier(), ModelReader.read(GOOD));   // the baseline is valid
    }

    @Test
    void everyTruncationIsReportedAsTruncated() {
        for (byte[] good : List.of(GOOD, REGRESSION)) {
            for (int len = 0; len < good.length; len++) {
                TruncatedModelException e = failsWith(TruncatedModelException.class, Arrays.copyOf(good, len),
                        "truncated to " + len + " bytes");
                assertEquals(len, e.offset(), "the offset is where the data ends");
                int cut = len;
                assertThrowsExactly(TruncatedModelException.class,
                        () -> ModelReader.read(new ByteArrayInputStream(Arrays.copyOf(good, cut))), "as a stream");
            }
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        for (int i = 0; i < GOOD.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = GOOD.clone();
                b[i] ^= (byte) (1 << bit);
                Class<? extends ModelFormatException> expected = i < 8 ? BadMagicException.class
                        : i < 12 ? UnsupportedVersionException.class : ChecksumMismatchException.class;
                ModelFormatException e = failsWith(expected, b, "byte " + i + " bit " + bit + " flipped");
                if (i >= 12) {
                    assertTrue(e.getMessage().contains(i < 48 ? "header checksum mismatch" : "file checksum mismatch"),
                            "byte " + i + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void absurdSectionLengthsInTheHeader() {
        for (int s = 0; s < 8; s++) {
            corrupt(withU32(GOOD, 12 + 4 * s, 0x7FFF_FFFFL), "section " + s + " claims 2^31-1 bytes", "allows at most",
                    12 + 4 * s);
            corrupt(withU32(GOOD, 12 + 4 * s, 0xFFFF_FFFFL), "section " + s + " claims 2^32-1", "allows at most", 12 + 4 * s);
            TruncatedModelException t = failsWith(TruncatedModelException.class,
                    withU32(GOOD, 12 + 4 * s, TestModels.u32(GOOD, 12 + 4 * s) + 1_000_000), "section " + s + " + 1 MB");
            assertTrue(t.getMessage().contains("declares " + (GOOD.length + 1_000_000) + " bytes"), t.getMessage());
        }
        byte[] b = GOOD.clone();
        for (int s = 0; s < 8; s++) {
            TestModels.putU32(b, 12 + 4 * s, 1L << 28);
        }
        corrupt(TestModels.reseal(b), "sections summing to 2 GiB", "the header declares a file of", 12);
    }

    @Test
    void badLengthsAndCountsInTheNewSections() {
        corrupt(withU32(GOOD, NAMES, 2), "2 names for 3 inputs", "declares 2 feature names; the network has 3 inputs", NAMES);
        corrupt(withU32(GOOD, NAMES, 0xFFFF_FFFFL), "2^32-1 names", "declares 4294967295 feature names", NAMES);
        corrupt(withU32(GOOD, NAMES + 4, 0x7FFF_FFFFL), "a name of 2^31-1 bytes", "feature name 0 is declared as", NAMES + 4);
        corrupt(withU32(GOOD, NAMES + 4, 40), "a name longer than the section", "expected 40 bytes for feature name 0",
                NAMES + 8);
        corrupt(withU32(GOOD, NAMES + 4, 1), "a name shorter than stored", "feature names section", -1);
        corrupt(withU32(GOOD, TARGET, 0), "target scaler kind 0", "target scaler section: unknown scaler kind code 0", TARGET);
        corrupt(withU32(GOOD, TARGET + 4, 3), "target scaler of width 3", "the scaler has width 3; the network's output"
                + " width is 2", TARGET + 4);
        corrupt(withU32(GOOD, TARGET + 4, 1L << 30), "target scaler of width 2^30", "target scaler section", TARGET + 4);
        corrupt(withU32(GOOD, METADATA, 1_000_000_000L), "10^9 metadata entries", "exceeds the format's limit", METADATA);
        corrupt(withU32(GOOD, METADATA, 60_000), "60,000 entries in 26 bytes", "metadata entries (at least 8 bytes each)",
                METADATA + 4);
        corrupt(withU32(GOOD, METADATA, 1), "1 entry and 11 unexplained bytes", "metadata section: 11 unexpected bytes", -1);
        corrupt(withU32(GOOD, METADATA + 4 + 4 + 2, (1 << 20) + 1), "a value over 1 MiB", "metadata value 0 (\"ka\") is"
                + " declared as 1048577 bytes", METADATA + 10);
        // The id section is 32 bytes exactly: shift the boundary between metadata and id by 4 bytes.
        byte[] b = GOOD.clone();
        TestModels.putU32(b, 12 + 4 * 6, TestModels.u32(GOOD, 12 + 4 * 6) - 4);
        TestModels.putU32(b, 12 + 4 * 7, 36);
        corrupt(TestModels.reseal(b), "metadata 4 bytes short, id 36", "metadata section: expected", -1);
    }

    @Test
    void hostileCountsAreRefusedWithoutHugeAllocations() {
        long allocated = AllocationProbe.allocated(() -> {
            for (int i = 0; i < 50; i++) {
                corrupt(withU32(GOOD, METADATA, 0xFFFF), "2^16-1 metadata entries", "metadata entries", -1);
                corrupt(withU32(GOOD, NAMES + 4, 0xFFFF), "a name of 64 KiB", "feature name 0", -1);
            }
        });
        assertTrue(allocated < (16 << 20), "refusing allocated " + allocated + " bytes");
    }

    @Test
    void invalidUtf8() {
        corrupt(withByte(GOOD, NAMES + 8, 0xFF), "0xFF in a feature name", "feature name 0 is not valid UTF-8: FF 30", NAMES + 8);
        corrupt(withByte(GOOD, NAMES + 8 + 6 + 1, 0xC3), "a feature name ending in a cut sequence",
                "feature name 1 is not valid UTF-8", NAMES + 8 + 6);
        corrupt(withByte(GOOD, METADATA + 8, 0x80), "a lone continuation byte in a metadata key",
                "metadata key 0 is not valid UTF-8", METADATA + 8);
        corrupt(withByte(GOOD, METADATA + 8 + 2 + 4, 0xED), "a metadata value starting a surrogate",
                "metadata value 0 (\"ka\") is not valid UTF-8", METADATA + 14);
        // ED A0 80 encodes U+D800, a surrogate: not well-formed UTF-8 even where the bytes fit.
        byte[] b = GOOD.clone();
        b[NAMES + 8] = (byte) 0xED;
        TestModels.putU32(b, NAMES + 4, 2);
        b[NAMES + 9] = (byte) 0xA0;
        corrupt(TestModels.reseal(b), "an encoded surrogate", "feature name 0 is not valid UTF-8", NAMES + 8);
    }

    @Test
    void duplicates() {
        // "f1" becomes "f0": checksums recomputed, so only the content check can catch it.
        corrupt(withByte(GOOD, NAMES + 8 + 6 + 1, '0'), "duplicate feature names",
                "feature name 1 \"f0\" repeats feature name 0; feature names must be distinct", NAMES + 4 + 6);
        corrupt(withByte(GOOD, METADATA + 4 + 11 + 4 + 1, 'a'), "duplicate metadata keys",
                "metadata key 1 \"ka\" appears twice", METADATA + 4 + 11);
    }

    @Test
    void theStoredIdMustMatchTheContent() throws Exception {
        // One hex digit changed, checksums recomputed: a crafted or hand-edited file.
        byte[] b = GOOD.clone();
        b[ID] = (byte) (b[ID] == '0' ? '1' : '0');
        String stored = new String(b, ID, 32, StandardCharsets.US_ASCII);
        CorruptModelException e = corrupt(TestModels.reseal(b), "wrong id",
                "model id section: the model id " + stored + " does not match its content (computed " + classifier().id(), ID);
        assertNotEquals(stored, classifier().id());
        // A parameter changed to another finite value, checksums recomputed: the content no longer has that id.
        byte[] p = GOOD.clone();
        TestModels.putU32(p, PARAMS + 4, Float.floatToRawIntBits(0.125f));
        corrupt(TestModels.reseal(p), "a parameter changed", "does not match its content", ID);
        // The metadata is not part of the id: "1" changed to "9" still loads.
        Model edited = ModelReader.read(withByte(GOOD, METADATA + 4 + 6 + 4, '9'));
        assertEquals("9", edited.metadata().get("ka"));
        // Not hex: refused as such, naming the byte.
        corrupt(withByte(GOOD, ID + 5, 'G'), "an id with a G", "the model id must be 32 lower-case hex digits; byte 5 is 47",
                ID + 5);
        corrupt(withByte(GOOD, ID, 'A'), "an upper-case id", "lower-case hex digits", ID);
        assertTrue(e.getMessage().contains("checksums recomputed"), e.getMessage());
    }

    @Test
    void invalidTargetScalers() {
        int scales = REGRESSION_TARGET + 8 + 2 * 4;
        corrupt(withU32(REGRESSION, scales + 4, Float.floatToRawIntBits(0f)), "target scale 0",
                "target scaler section: scale 1 is 0; predictions are divided by it", scales + 4);
        corrupt(withU32(REGRESSION, scales, Float.floatToRawIntBits(-0f)), "target scale -0", "scale 0 is 0", scales);
        corrupt(withU32(REGRESSION, REGRESSION_TARGET + 8, Float.floatToRawIntBits(Float.NaN)), "NaN target shift",
                "target scaler section: invalid scaler", REGRESSION_TARGET);
        // A classifier's outputs are probabilities: a target scaler that is not the identity is refused.
        corrupt(withU32(GOOD, TARGET + 8, Float.floatToRawIntBits(5f)), "a classifier with a shifted target",
                "only a regression model has a target scaler", TARGET);
    }

    @Test
    void anUnchangedRegressionFileLoads() throws Exception {
        Model m = ModelReader.read(REGRESSION);
        assertEquals(FeatureScaler.Kind.STANDARDIZE, m.targetScaler().kind());
        assertEquals(ModelRoundTripTest.regressionWithEverything(), m);
    }
}
