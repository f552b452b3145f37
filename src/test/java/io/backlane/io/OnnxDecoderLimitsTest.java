package io.backlane.io;

import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The decoder's caps and the importer's and exporter's checks that the review asked for: each case is
 * a small protobuf message built field by field here (or a hand-built graph), and each assertion
 * names the message that the fix gives, so that it failed before.
 */
class OnnxDecoderLimitsTest {
    // --------------------------------------------------------------------- raw protobuf, field by field

    /** A model of opset 17 around {@code graph} (ModelProto: ir_version 1, graph 7, opset_import 8). */
    static byte[] model(ProtoWriter graph) {
        return new ProtoWriter().int64(1, 8).message(7, graph)
                .message(8, new ProtoWriter().string(1, "").int64(2, 17)).toByteArray();
    }

    /** A float ValueInfoProto without a shape: name 1, type 2 → tensor_type 1 → elem_type 1. */
    static ProtoWriter valueInfo(String name, long elemType) {
        return new ProtoWriter().string(1, name)
                .message(2, new ProtoWriter().message(1, new ProtoWriter().int64(1, elemType)));
    }

    /** A TensorProto named W of shape [2, 2] in raw_data (dims 1, data_type 2, name 8, raw_data 9). */
    static ProtoWriter weights(long dataType, float... values) {
        byte[] raw = new byte[16];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            for (int k = 0; k < 4; k++) {
                raw[4 * i + k] = (byte) (bits >>> 8 * k);
            }
        }
        return new ProtoWriter().packedInt64s(1, new long[]{2, 2}).int64(2, dataType).string(8, "W").bytes(9, raw);
    }

    /** A NodeProto (input 1, output 2, op_type 4). */
    static ProtoWriter node(String op, String input, String output, String... constants) {
        ProtoWriter node = new ProtoWriter().string(1, input);
        for (String c : constants) {
            node.string(1, c);
        }
        return node.string(2, output).string(4, op);
    }

    /** x → Gemm(W) → y, with W as given: a valid model (GraphProto: node 1, initializer 5, input 11, output 12). */
    static ProtoWriter gemmGraph(ProtoWriter w) {
        return new ProtoWriter().message(1, node("Gemm", "x", "y", "W")).message(5, w)
                .message(11, valueInfo("x", 1)).message(12, valueInfo("y", 1));
    }

    static String refusal(byte[] bytes) {
        return assertThrows(OnnxFormatException.class, () -> OnnxReader.read(bytes, "t.onnx")).getMessage();
    }

    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' not in: " + message);
        }
    }

    @Test
    void theHelpersMakeAValidModel() throws OnnxFormatException {
        Model model = OnnxReader.read(model(gemmGraph(weights(1, 1, 2, 3, 4))), "t.onnx");
        assertEquals(2, model.network().outputWidth());
    }

    // ------------------------------------------------------------------------------ decoding caps

    @Test
    void repeatedFieldsAreCappedWhileDecoding() {
        ProtoWriter attributes = node("Relu", "x", "y");
        for (int i = 0; i <= OnnxProto.MAX_ATTRIBUTES; i++) {
            attributes.message(5, new ProtoWriter());
        }
        assertContains(refusal(model(new ProtoWriter().message(1, attributes))),
                "model.graph.node[0]: more than 64 attributes");

        ProtoWriter inputs = new ProtoWriter();
        for (int i = 0; i <= OnnxProto.MAX_NODE_IO; i++) {
            inputs.string(1, "x");
        }
        assertContains(refusal(model(new ProtoWriter().message(1, inputs))), "node[0]: more than 16 inputs");

        ProtoWriter dims = new ProtoWriter().packedInt64s(1, new long[OnnxProto.MAX_DIMS + 1]);
        assertContains(refusal(model(new ProtoWriter().message(5, dims))), "initializer[0]: dims: 65 values, more than 64");
        ProtoWriter oneByOne = new ProtoWriter();
        for (int i = 0; i <= OnnxProto.MAX_DIMS; i++) {
            oneByOne.int64(1, 1);
        }
        assertContains(refusal(model(new ProtoWriter().message(5, oneByOne))), "more than 64 dims");

        ProtoWriter shape = new ProtoWriter();
        for (int i = 0; i <= OnnxProto.MAX_DIMS; i++) {
            shape.message(1, new ProtoWriter().int64(1, 1));
        }
        ProtoWriter shaped = new ProtoWriter().string(1, "x").message(2, new ProtoWriter().message(1,
                new ProtoWriter().int64(1, 1).message(2, shape)));
        assertContains(refusal(model(new ProtoWriter().message(11, shaped))), "shape: more than 64 dimensions");

        ProtoWriter nodes = new ProtoWriter();
        for (int i = 0; i <= OnnxProto.MAX_NODES; i++) {
            nodes.message(1, new ProtoWriter());
        }
        assertContains(refusal(model(nodes)), "model.graph: more than " + OnnxProto.MAX_NODES + " nodes");
    }

    @Test
    void metadataEntriesAreCappedWhileDecoding() {
        ProtoWriter m = new ProtoWriter().int64(1, 8).message(7, gemmGraph(weights(1)))
                .message(8, new ProtoWriter().string(1, "").int64(2, 17));
        for (int i = 0; i <= OnnxProto.MAX_METADATA; i++) {
            m.message(14, new ProtoWriter());
        }
        assertContains(refusal(m.toByteArray()), "model: more than " + OnnxProto.MAX_METADATA + " metadata_props entries");
    }

    @Test
    void decodingIsChargedAgainstABudgetProportionalToTheFile() {
        assertContains(refusal(model(nodesOfEmptyAttributes(8000))), "heap bytes per file byte");
    }

    /**
     * A graph of {@code count} nodes of 64 empty attributes: 2 bytes each in the file, some 60 bytes
     * each decoded. Within every cap, but a megabyte of them would take over 100 MB decoded: the
     * budget refuses them well before.
     */
    static ProtoWriter nodesOfEmptyAttributes(int count) {
        ProtoWriter node = new ProtoWriter();
        for (int i = 0; i < OnnxProto.MAX_ATTRIBUTES; i++) {
            node.message(5, new ProtoWriter());
        }
        ProtoWriter graph = new ProtoWriter();
        for (int i = 0; i < count; i++) {
            graph.message(1, node);
        }
        return graph;
    }

    @Test
    void aSingleValuedMessageFieldMayNotRepeat() {
        ProtoWriter graph = gemmGraph(weights(1, 1, 2, 3, 4));
        byte[] twice = new ProtoWriter().int64(1, 8).message(7, graph).message(7, graph)
                .message(8, new ProtoWriter().string(1, "").int64(2, 17)).toByteArray();
        assertContains(refusal(twice), "model: graph appears twice; protobuf would merge");

        ProtoWriter typeTwice = new ProtoWriter().string(1, "x")
                .message(2, new ProtoWriter().message(1, new ProtoWriter().int64(1, 1)))
                .message(2, new ProtoWriter().message(1, new ProtoWriter().int64(1, 1)));
        assertContains(refusal(model(new ProtoWriter().message(11, typeTwice))), "input[0]: type appears twice");

        ProtoWriter shapeTwice = new ProtoWriter().string(1, "x").message(2, new ProtoWriter().message(1,
                new ProtoWriter().int64(1, 1).message(2, new ProtoWriter()).message(2, new ProtoWriter())));
        assertContains(refusal(model(new ProtoWriter().message(11, shapeTwice))), "tensor_type: shape appears twice");

        ProtoWriter tTwice = node("Constant", "", "c").message(5, new ProtoWriter().string(1, "value")
                .message(5, weights(1)).message(5, weights(1)).int64(20, 4));
        assertContains(refusal(model(new ProtoWriter().message(1, tTwice))), "attribute[0]: t appears twice");
    }

    @Test
    void enumFieldsOutOfRangeAreRefusedNotTruncated() {
        long wraps = (1L << 32) | 1;   // (int) gives 1: FLOAT
        assertContains(refusal(model(gemmGraph(weights(wraps, 1, 2, 3, 4)))),
                "data_type is 4294967297, out of the range");
        ProtoWriter graph = new ProtoWriter().message(1, node("Gemm", "x", "y", "W")).message(5, weights(1))
                .message(11, valueInfo("x", wraps)).message(12, valueInfo("y", 1));
        assertContains(refusal(model(graph)), "elem_type is 4294967297");
        ProtoWriter leaky = new ProtoWriter().message(1, node("Gemm", "x", "z", "W"))
                .message(1, node("LeakyRelu", "z", "y").message(5, new ProtoWriter().string(1, "alpha")
                        .float32(2, 0.5f).int64(20, wraps)))
                .message(5, weights(1)).message(11, valueInfo("x", 1)).message(12, valueInfo("y", 1));
        assertContains(refusal(model(leaky)), "attribute[0]: type is 4294967297");
    }

    // ------------------------------------------------------------------------------ the importer

    @Test
    void aWeightTensorSharedByTwoLayersIsRefused() {
        OnnxImportTest.Graph g = new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4);
        g.node("Gemm", List.of("W")).node("Relu").node("Gemm", List.of("W"));
        assertContains(g.fails().getMessage(), "node 'n2' (Gemm): the weights 'W' are already those of node 'n0'"
                + " (Gemm); a tensor shared by two layers is not supported");
        OnnxImportTest.Graph m = new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4);
        m.node("MatMul", List.of("W")).node("MatMul", List.of("W"));
        assertContains(m.fails().getMessage(), "node 'n1' (MatMul): the weights 'W' are already those of");
    }

    @Test
    void gemmScalingMustStayFinite() {
        for (float alpha : new float[]{Float.POSITIVE_INFINITY, Float.NaN}) {
            assertContains(new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 0, 0, 0, 0)
                    .node("Gemm", List.of("W"), OnnxProto.Attribute.ofFloat("alpha", alpha)).fails().getMessage(),
                    "node 'n0' (Gemm): alpha " + alpha + " and beta 1.0 must be finite");
        }
        assertContains(new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 1, 2, 3e30f, 4)
                        .node("Gemm", List.of("W"), OnnxProto.Attribute.ofFloat("alpha", 1e10f)).fails().getMessage(),
                "node 'n0' (Gemm): weight 1 (alpha·B, row-major out × in) is Infinity");
        assertContains(new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                        .constant("C", new long[]{2}, 1, 3e30f)
                        .node("Gemm", List.of("W", "C"), OnnxProto.Attribute.ofFloat("beta", 1e10f)).fails().getMessage(),
                "node 'n0' (Gemm): bias 1 (beta·C) is Infinity");
        OnnxImportTest.Graph overflow = new OnnxImportTest.Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                .constant("C", new long[]{2}, 3e38f, 3e38f).constant("a", new long[]{2}, 3e38f, 3e38f);
        overflow.node("Gemm", List.of("W", "C"), OnnxProto.Attribute.ofInt("transB", 1)).node("Add", List.of("a"));
        assertContains(overflow.fails().getMessage(), "node 'n1' (Add): bias 0 is Infinity after folding");
    }

    @Test
    void withoutADeclaredInputShapeOnlyReshapesThatKeepRowsAreAccepted() throws OnnxFormatException {
        for (long[] keeps : new long[][]{{-1, 2}, {0, 2}, {0, -1}}) {
            OnnxImportTest.Graph g = undeclared();
            g.initializers.add(OnnxProto.Tensor.ofInt64s("s", new long[]{2}, keeps));
            g.node("Reshape", List.of("s")).constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                    .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
            assertEquals(2, g.read().network().inputWidth(), java.util.Arrays.toString(keeps));
        }
        for (long[] mixes : new long[][]{{-1, 0}, {0, 0}, {-1, -1}, {3, 2}}) {
            OnnxImportTest.Graph g = undeclared();
            g.initializers.add(OnnxProto.Tensor.ofInt64s("s", new long[]{2}, mixes));
            g.node("Reshape", List.of("s")).constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                    .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
            assertContains(g.fails().getMessage(), "of an input of undeclared shape; only [-1, n], [0, n] and [0, -1]");
        }
        OnnxImportTest.Graph flatten = undeclared().node("Flatten", OnnxProto.Attribute.ofInt("axis", -1))
                .constant("W", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W"));
        assertContains(flatten.fails().getMessage(), "Flatten with axis -1 on an input of undeclared rank");
        OnnxImportTest.Graph axis1 = undeclared().node("Flatten", OnnxProto.Attribute.ofInt("axis", 1))
                .constant("W", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W"));
        assertEquals(2, axis1.read().network().inputWidth());
    }

    private static OnnxImportTest.Graph undeclared() {
        OnnxImportTest.Graph g = new OnnxImportTest.Graph();
        g.inputShape = null;
        return g;
    }

    @Test
    void aScalerLabelledNoneMustBeTheIdentity() {
        OnnxImportTest.Graph g = new OnnxImportTest.Graph().constant("m", new long[0], 5f).node("Sub", List.of("m"));
        g.constant("W", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        g.metadata.add(new OnnxProto.Entry(OnnxMetadata.SCALER_KIND, "NONE"));
        assertContains(g.fails().getMessage(), "'backlane.scaler_kind' says NONE, but the graph's constant input"
                + " normalization is not the identity");
        OnnxImportTest.Graph t = OnnxImportTest.dense().constant("m", new long[0], 4f).node("Mul", List.of("m"));
        t.metadata.add(new OnnxProto.Entry(OnnxMetadata.TARGET_SCALER_KIND, "NONE"));
        assertContains(t.fails().getMessage(), "'backlane.target_scaler_kind' says NONE");

        Model contradictory = new Model(small().parameters(), new FeatureScaler(FeatureScaler.Kind.NONE,
                new float[]{1, 0}, new float[]{1, 1}), List.of());
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(contradictory))
                .getMessage(), "the scaler is of kind NONE but not the identity");
    }

    // ------------------------------------------------------------------------------ the exporter

    private static Model small() {
        Network net = Network.builder(2).output(OutputHead.forRegression()).build();
        return new Model(Parameters.initialize(net, 1L), FeatureScaler.identity(2), List.of());
    }

    @Test
    void theExporterRefusesStringsTheImporterWouldRefuse() {
        String tooLong = "x".repeat(ModelFormat.MAX_NAME_BYTES + 1);
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(small()
                .withFeatureNames(List.of(tooLong, "b")))).getMessage(), "feature name \"xxx", "65536 bytes of UTF-8");
        Network classes = Network.builder(2).output(OutputHead.forClasses(2)).build();
        Model labelled = new Model(Parameters.initialize(classes, 1L), FeatureScaler.identity(2), List.of("a", tooLong));
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(labelled)).getMessage(),
                "class label \"xxx");
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(small()
                .withMetadata(Map.of(tooLong, "v")))).getMessage(), "metadata key \"xxx");
        String longValue = "v".repeat(ModelFormat.MAX_METADATA_VALUE_BYTES + 1);
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(small()
                .withMetadata(Map.of("k", longValue)))).getMessage(), "metadata value of \"k\" is 1048577 bytes");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= ModelFormat.MAX_METADATA_ENTRIES; i++) {
            many.put("k" + i, "");
        }
        assertContains(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(small()
                .withMetadata(many))).getMessage(), "65537 metadata entries; at most 65536");
    }

    @Test
    void manyFeatureNamesRoundTripEvenWhenTheirListIsOverOneMebibyte() throws OnnxFormatException {
        int width = 30_000;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            names.add(String.format("a rather long feature name, number %06d", i));
        }
        Network net = Network.builder(width).output(OutputHead.forRegression()).build();
        Model model = new Model(Parameters.initialize(net, 1L), FeatureScaler.identity(width), List.of())
                .withFeatureNames(names);
        byte[] bytes = OnnxWriter.toBytes(model);
        assertTrue(JsonStrings.encode(names).length() > ModelFormat.MAX_METADATA_VALUE_BYTES);
        assertEquals(names, OnnxReader.read(bytes, "wide.onnx").featureNames());
    }

    @Test
    void theWritersBufferGrowsWithoutOverflow() {
        assertEquals(128, ProtoWriter.capacity(64, 65));
        assertEquals(1000, ProtoWriter.capacity(64, 1000));
        // Doubling 1.5 GiB would wrap to a negative int: it stops at the largest array instead.
        assertEquals(ProtoWriter.MAX_BYTES, ProtoWriter.capacity(3 << 29, (3L << 29) + 1));
        assertEquals(ProtoWriter.MAX_BYTES, ProtoWriter.capacity(1 << 30, (1L << 30) + 1));
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> ProtoWriter.capacity(ProtoWriter.MAX_BYTES, ProtoWriter.MAX_BYTES + 1L)).getMessage(),
                "the ONNX message would be more than 2147483639 bytes");
    }

    @Test
    void unicodeEscapesTakeExactlyFourHexDigits() {
        assertEquals(List.of("A\u00e9"), JsonStrings.decode("[\"\\u0041\\u00E9\"]"));
        for (String bad : new String[]{"\\u-001", "\\u+041", "\\u 041", "\\u004g", "\\u\u0661\u0662\u0663\u0664"}) {
            assertContains(assertThrows(IllegalArgumentException.class, () -> JsonStrings.decode("[\"" + bad + "\"]"),
                    bad).getMessage(), "bad \\u escape at character 2: expected four hex digits");
        }
    }
}
