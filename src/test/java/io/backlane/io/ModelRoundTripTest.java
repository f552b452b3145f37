package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRoundTripTest {
    @TempDir
    Path dir;

    /** Every field equal, parameters and scaler compared bit for bit. */
    static void assertSameModel(Model expected, Model actual) {
        assertEquals(expected.network(), actual.network());
        assertEquals(expected.network().toString(), actual.network().toString());
        for (int l = 1; l <= expected.network().layerCount(); l++) {
            assertEquals(Float.floatToRawIntBits(expected.network().layer(l).slope()),
                    Float.floatToRawIntBits(actual.network().layer(l).slope()), "slope of layer " + l);
        }
        assertArrayEquals(rawBits(expected.parameters().values()), rawBits(actual.parameters().values()));
        assertEquals(expected.scaler().kind(), actual.scaler().kind());
        assertArrayEquals(rawBits(expected.scaler().shift()), rawBits(actual.scaler().shift()));
        assertArrayEquals(rawBits(expected.scaler().scale()), rawBits(actual.scaler().scale()));
        assertEquals(expected.classLabels(), actual.classLabels());
        assertEquals(expected.featureNames(), actual.featureNames());
        assertEquals(expected.targetScaler().kind(), actual.targetScaler().kind());
        assertArrayEquals(rawBits(expected.targetScaler().shift()), rawBits(actual.targetScaler().shift()));
        assertArrayEquals(rawBits(expected.targetScaler().scale()), rawBits(actual.targetScaler().scale()));
        assertEquals(List.copyOf(expected.metadata().entrySet()), List.copyOf(actual.metadata().entrySet()),
                "metadata, in order");
        assertEquals(expected.id(), actual.id());
    }

    static int[] rawBits(float[] v) {
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Float.floatToRawIntBits(v[i]);
        }
        return bits;
    }

    private Model roundTripAllWays(Model model) throws IOException {
        byte[] bytes = ModelWriter.toBytes(model);
        Model fromBytes = ModelReader.read(bytes);
        assertSameModel(model, fromBytes);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelWriter.write(model, out);
        assertArrayEquals(bytes, out.toByteArray(), "write(OutputStream) and toBytes must agree");
        assertSameModel(model, ModelReader.read(new ByteArrayInputStream(out.toByteArray())));

        Path file = dir.resolve("model" + ModelFormat.FILE_EXTENSION);
        ModelWriter.save(model, file);
        assertArrayEquals(bytes, Files.readAllBytes(file), "save and toBytes must agree");
        Model loaded = ModelReader.load(file);
        assertSameModel(model, loaded);
        assertArrayEquals(bytes, ModelWriter.toBytes(loaded), "re-saving a loaded model must give the same bytes");
        return loaded;
    }

    @Test
    void smallClassifier() throws IOException {
        roundTripAllWays(TestModels.small());
    }

    @Test
    void nonAsciiLabels() throws IOException {
        Network net = Network.builder(2).dense(3, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        List<String> labels = List.of("versicolör", "弗吉尼亚鸢尾", "setosa \uD83C\uDF38");   // 2-, 3- and 4-byte UTF-8
        Model loaded = roundTripAllWays(TestModels.withSinParameters(net, FeatureScaler.identity(2), labels));
        assertEquals("setosa \uD83C\uDF38", loaded.classLabels().get(2));
    }

    @Test
    void emptyAndUnusualLabels() throws IOException {
        Network net = Network.builder(2).dense(3, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        roundTripAllWays(TestModels.withSinParameters(net, FeatureScaler.identity(2), List.of("", "a,b\n\"c\"", "\u0000")));
    }

    @Test
    void regressionWithoutLabels() throws IOException {
        Network net = Network.builder(3).dense(8, Activation.RELU).leakyRelu(5, 0.2f).dense(1, Activation.IDENTITY)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARDIZE,
                new float[]{1f, -2.5f, 1e-30f}, new float[]{3f, 0.125f, 1e30f});
        Model loaded = roundTripAllWays(TestModels.withSinParameters(net, scaler, List.of()));
        assertTrue(loaded.classLabels().isEmpty());
        assertEquals(0.2f, loaded.network().layer(2).slope());
    }

    @Test
    void binaryClassifierHasTwoLabelsForOneOutput() throws IOException {
        Network net = Network.builder(4).dense(3, Activation.SIGMOID).dense(1, Activation.SIGMOID)
                .loss(Loss.BINARY_CROSS_ENTROPY).build();
        roundTripAllWays(TestModels.withSinParameters(net, FeatureScaler.identity(4), List.of("benign", "malignant")));
    }

    static Stream<Arguments> everyActivationAndLoss() {
        List<Arguments> cases = new ArrayList<>();
        for (Activation hidden : Activation.values()) {
            if (hidden == Activation.SOFTMAX) {
                continue;   // only allowed on the output layer
            }
            cases.add(Arguments.of(hidden, Activation.SOFTMAX, Loss.CATEGORICAL_CROSS_ENTROPY));
            cases.add(Arguments.of(hidden, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY));
            for (Activation out : Activation.values()) {
                if (out != Activation.SOFTMAX) {
                    cases.add(Arguments.of(hidden, out, Loss.MEAN_SQUARED_ERROR));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} hidden, {1} output, {2}")
    @MethodSource("everyActivationAndLoss")
    void everyActivationAndLossCode(Activation hidden, Activation out, Loss loss) throws IOException {
        Layer hiddenLayer = new Layer(3, hidden, hidden == Activation.LEAKY_RELU ? 0.3f : 0f);
        Layer outLayer = new Layer(2, out, out == Activation.LEAKY_RELU ? 0.05f : 0f);
        Network net = Network.builder(2).dense(hiddenLayer).dense(outLayer).loss(loss).build();
        List<String> labels = loss == Loss.MEAN_SQUARED_ERROR ? List.of() : List.of("x", "y");
        Model loaded = roundTripAllWays(TestModels.withSinParameters(net, FeatureScaler.identity(2), labels));
        assertEquals(hidden, loaded.network().activation(1));
        assertEquals(out, loaded.network().activation(2));
        assertEquals(loss, loaded.network().loss());
    }

    @Test
    void everyScalerKind() throws IOException {
        Network net = Network.builder(2).dense(1, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        for (FeatureScaler.Kind kind : FeatureScaler.Kind.values()) {
            FeatureScaler scaler = new FeatureScaler(kind, new float[]{-0f, 7f}, new float[]{1f, Float.MIN_VALUE});
            assertEquals(kind, roundTripAllWays(TestModels.withSinParameters(net, scaler, List.of())).scaler().kind());
        }
    }

    @Test
    void leakySlopeBitsIncludingZeroAndNegativeZero() throws IOException {
        for (float slope : new float[]{0f, -0f, Float.MIN_VALUE, 0.01f, Math.nextDown(1f)}) {
            Network net = Network.builder(2).leakyRelu(2, slope).dense(1, Activation.IDENTITY)
                    .loss(Loss.MEAN_SQUARED_ERROR).build();
            roundTripAllWays(TestModels.withSinParameters(net, FeatureScaler.identity(2), List.of()));
        }
    }

    @Test
    void specialParameterValuesAreBitExact() throws IOException {
        Network net = Network.builder(2).dense(3, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        float[] v = {-0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Math.nextUp(1f), 0f, 1f};
        Model model = new Model(new Parameters(net, v), FeatureScaler.identity(2), List.of());
        roundTripAllWays(model);
    }

    @Test
    void aModelWithNonFiniteParametersIsNotSaved() {
        Network net = Network.builder(2).dense(3, Activation.IDENTITY).loss(Loss.MEAN_SQUARED_ERROR).build();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            v[7] = bad; // b[1][1]: after the 6 weights of W[1]
            Model model = new Model(new Parameters(net, v), FeatureScaler.identity(2), List.of());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(model));
            assertTrue(e.getMessage().contains("parameter b[1][1] is " + bad), e.getMessage());
        }
    }

    @Test
    void fileSizeIsAsDocumented() {
        Model small = TestModels.small();
        // header 48 + architecture 12+2·12 + scaler 8+3·8 + parameters 4+26·4 + labels 4+(4+1)+(4+1)
        // + names 4+3·(4+2) ("x0".."x2") + target scaler 8+2·8 + metadata 4 + id 32 + CRC 4
        assertEquals(324, ModelWriter.toBytes(small).length);
        assertEquals(2, TestModels.u32(ModelWriter.toBytes(small), 8), "the writer writes version 2");
    }

    /** A regression model with everything version 2 adds: names, a target scaler, metadata in order. */
    static Model regressionWithEverything() {
        Network net = Network.builder(3).dense(4, Activation.RELU).dense(2, Activation.IDENTITY)
                .loss(Loss.MEAN_SQUARED_ERROR).build();
        java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("zeta", "first, though its key sorts last");
        metadata.put("created", "2024-06-11T12:00:00Z");
        metadata.put("", "an empty key");
        metadata.put("command", "train a.csv \uD83D\uDE00 --save m.bkln\nwith a newline");
        return TestModels.withSinParameters(net, FeatureScaler.identity(3), List.of())
                .withFeatureNames(List.of("surface (m²)", "", "zimmer,\"anzahl\""))
                .withTargetScaler(new FeatureScaler(FeatureScaler.Kind.STANDARDIZE,
                        new float[]{2e5f, -0f}, new float[]{2e-5f, 3f}))
                .withMetadata(metadata);
    }

    @Test
    void version2FieldsRoundTrip() throws IOException {
        Model model = regressionWithEverything();
        Model loaded = roundTripAllWays(model);
        assertEquals(List.of("zeta", "created", "", "command"), List.copyOf(loaded.metadata().keySet()));
        assertEquals(model, loaded);
        // The id leaves the metadata out: the same network with other metadata has the same id.
        assertEquals(model.id(), ModelReader.read(ModelWriter.toBytes(model.withMetadata(java.util.Map.of()))).id());
    }

    @Test
    void theWriterRefusesVersion2FieldsTheFormatCannotHold() {
        Model model = regressionWithEverything();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelWriter.toBytes(model.withFeatureNames(List.of("a", "b\uDC00", "c"))));
        assertTrue(e.getMessage().contains("feature name 1 is not valid Unicode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelWriter.toBytes(model.withMetadata(java.util.Map.of("k", "\uD800"))));
        assertTrue(e.getMessage().contains("metadata value of \"k\" is not valid Unicode"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(
                model.withMetadata(java.util.Map.of("k", "v".repeat(ModelFormat.MAX_METADATA_VALUE_BYTES + 1)))));
        assertTrue(e.getMessage().contains("allows at most " + ModelFormat.MAX_METADATA_VALUE_BYTES), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(
                model.withMetadata(java.util.Map.of("k".repeat(ModelFormat.MAX_NAME_BYTES + 1), "v"))));
        // At the limits: written and read back.
        Model atLimits = model.withMetadata(java.util.Map.of("k".repeat(ModelFormat.MAX_NAME_BYTES),
                "v".repeat(ModelFormat.MAX_METADATA_VALUE_BYTES)));
        assertEquals(atLimits, assertDoesNotThrowModel(ModelWriter.toBytes(atLimits)));
    }

    private static Model assertDoesNotThrowModel(byte[] bytes) {
        try {
            return ModelReader.read(bytes);
        } catch (ModelFormatException e) {
            throw new AssertionError("a file the writer produced was refused: " + e.getMessage(), e);
        }
    }

    @Test
    void theWriterRefusesWhatTheFormatCannotHold() {
        Network net = Network.builder(1).dense(2, Activation.SOFTMAX).loss(Loss.CATEGORICAL_CROSS_ENTROPY).build();
        Model unpaired = TestModels.withSinParameters(net, FeatureScaler.identity(1), List.of("ok", "bad\uD800"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(unpaired));
        assertTrue(e.getMessage().contains("class label 1"), e.getMessage());
        Model tooLong = TestModels.withSinParameters(net, FeatureScaler.identity(1),
                List.of("ok", "x".repeat(ModelFormat.MAX_LABEL_BYTES + 1)));
        assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(tooLong));
        assertThrows(IllegalArgumentException.class, () -> ModelWriter.toBytes(null));
    }

    /** The codes are part of the format: changing one breaks every file written before. */
    @Test
    void codesAreStable() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6), Stream.of(Activation.SIGMOID, Activation.TANH, Activation.RELU,
                Activation.LEAKY_RELU, Activation.IDENTITY, Activation.SOFTMAX).map(ModelFormat::activationCode).toList());
        assertEquals(List.of(1, 2, 3), Stream.of(Loss.BINARY_CROSS_ENTROPY, Loss.CATEGORICAL_CROSS_ENTROPY,
                Loss.MEAN_SQUARED_ERROR).map(ModelFormat::lossCode).toList());
        assertEquals(List.of(1, 2, 3), Stream.of(FeatureScaler.Kind.NONE, FeatureScaler.Kind.STANDARDIZE,
                FeatureScaler.Kind.MIN_MAX).map(ModelFormat::scalerCode).toList());
        Set<Integer> seen = new HashSet<>();
        for (Activation a : EnumSet.allOf(Activation.class)) {
            assertTrue(seen.add(ModelFormat.activationCode(a)));
            assertEquals(a, ModelFormat.activationFromCode(ModelFormat.activationCode(a)));
        }
        for (Loss l : Loss.values()) {
            assertEquals(l, ModelFormat.lossFromCode(ModelFormat.lossCode(l)));
        }
        for (FeatureScaler.Kind k : FeatureScaler.Kind.values()) {
            assertEquals(k, ModelFormat.scalerFromCode(ModelFormat.scalerCode(k)));
        }
        assertNull(ModelFormat.activationFromCode(0));
        assertNull(ModelFormat.lossFromCode(0));
        assertNull(ModelFormat.scalerFromCode(0));
    }

    @Test
    void magic() {
        assertArrayEquals(new byte[]{(byte) 0x89, 0x42, 0x4B, 0x4C, 0x4E, 0x0D, 0x0A, 0x1A}, ModelFormat.magic());
        assertTrue(ModelFormat.hasMagic(ModelWriter.toBytes(TestModels.small())));
        assertEquals(false, ModelFormat.hasMagic(new byte[]{(byte) 0x89, 'B', 'K'}));
    }
}
