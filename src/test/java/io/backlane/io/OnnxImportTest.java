package io.backlane.io;

import io.backlane.infer.Predictor;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-built graphs for what the PyTorch fixtures do not show: Gemm's alpha, beta and transB = 0,
 * weights in float_data and in Constant nodes, Mul/Add normalization, output scaling, metadata and
 * options, and each refusal, whose message must name the node, the operator and what is supported.
 */
class OnnxImportTest {
    /** A graph under construction: a chain from "x" through the nodes to the last node's output. */
    static final class Graph {
        final List<OnnxProto.Node> nodes = new ArrayList<>();
        final List<OnnxProto.Tensor> initializers = new ArrayList<>();
        final List<OnnxProto.Entry> metadata = new ArrayList<>();
        List<OnnxProto.Dim> inputShape = List.of(new OnnxProto.Dim(-1, "N"), new OnnxProto.Dim(2, ""));
        long opset = 17;
        String current = "x";

        Graph constant(String name, long[] dims, float... values) {
            initializers.add(OnnxProto.Tensor.ofFloats(name, dims, values));
            return this;
        }

        Graph node(String op, List<String> constants, OnnxProto.Attribute... attributes) {
            List<String> inputs = new ArrayList<>();
            inputs.add(current);
            inputs.addAll(constants);
            String out = "t" + nodes.size();
            nodes.add(new OnnxProto.Node("n" + nodes.size(), op, inputs, List.of(out), List.of(attributes)));
            current = out;
            return this;
        }

        Graph node(String op, OnnxProto.Attribute... attributes) {
            return node(op, List.of(), attributes);
        }

        byte[] bytes() {
            OnnxProto.Graph g = new OnnxProto.Graph("test", nodes, initializers,
                    List.of(new OnnxProto.ValueInfo("x", OnnxProto.FLOAT, inputShape, -1)),
                    List.of(new OnnxProto.ValueInfo(current, OnnxProto.FLOAT, null, -1)), -1);
            return OnnxProto.encode(new OnnxProto.Model(8, List.of(new OnnxProto.OpsetId("", opset)), "test", "", "",
                    g, metadata));
        }

        Model read() throws OnnxFormatException {
            return OnnxReader.read(bytes(), "test.onnx");
        }

        OnnxFormatException fails() {
            return assertThrows(OnnxFormatException.class, this::read);
        }
    }

    /** A 2-input graph: one Gemm to 2 outputs with W = [[1, 2], [3, 4]], b = [0.5, -0.5], then {@code head}. */
    static Graph dense() {
        return new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4).constant("b", new long[]{2}, 0.5f, -0.5f)
                .node("Gemm", List.of("W", "b"), OnnxProto.Attribute.ofInt("transB", 1));
    }

    static float[] predict(Model model, float... x) {
        float[] out = new float[model.network().outputWidth()];
        Predictor.of(model).predict(x, out);
        return out;
    }

    @Test
    void gemmWithAlphaBetaAndUntransposedWeights() throws OnnxFormatException {
        // Y = 2·X·B + 3·C with B = [[1, 3], [2, 4]] (in × out): W = Bᵀ·2 = [[2, 4], [6, 8]], b = 3·C.
        Model model = new Graph().constant("B", new long[]{2, 2}, 1, 3, 2, 4).constant("C", new long[]{1, 2}, 1, -1)
                .node("Gemm", List.of("B", "C"), OnnxProto.Attribute.ofFloat("alpha", 2f),
                        OnnxProto.Attribute.ofFloat("beta", 3f)).read();
        assertArrayEquals(new float[]{2, 4, 6, 8, 3, -3}, model.parameters().values());
        assertArrayEquals(new float[]{1 * 2 + 1 * 4 + 3, 1 * 6 + 1 * 8 - 3}, predict(model, 1, 1));
        assertEquals(Loss.MEAN_SQUARED_ERROR, model.network().loss());
        assertTrue(model.classLabels().isEmpty());
    }

    @Test
    void gemmWithoutBiasAndAScalarBias() throws OnnxFormatException {
        Model none = new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)).read();
        assertArrayEquals(new float[]{1, 2, 3, 4, 0, 0}, none.parameters().values());
        Model scalar = new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4).constant("c", new long[0], 7)
                .node("Gemm", List.of("W", "c"), OnnxProto.Attribute.ofInt("transB", 1)).read();
        assertArrayEquals(new float[]{1, 2, 3, 4, 7, 7}, scalar.parameters().values());
    }

    @Test
    void weightsInFloatDataRawDataAndConstantNodes() throws OnnxFormatException {
        Graph g = new Graph();
        g.nodes.add(new OnnxProto.Node("w", "Constant", List.of(), List.of("W"), List.of(OnnxProto.Attribute.ofTensor(
                "value", OnnxProto.Tensor.ofFloats("", new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, 6})))));
        g.nodes.add(new OnnxProto.Node("b", "Constant", List.of(), List.of("B"), List.of(
                new OnnxProto.Attribute("value_floats", OnnxProto.ATTRIBUTE_TYPE_FLOATS, 0, 0, null,
                        new float[]{1, 2, 3}, new long[0], -1))));
        g.node("MatMul", List.of("W")).node("Add", List.of("B")).node("Relu");
        Model model = g.read();
        // W = Bᵀ of the [2, 3] MatMul weights.
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6, 1, 2, 3}, model.parameters().values());
        assertEquals(Activation.RELU, model.network().activation(1));
        assertArrayEquals(new float[]{1 + 4 + 1, 2 + 5 + 2, 3 + 6 + 3}, predict(model, 1, 1));
    }

    @Test
    void mulAddNormalizationFoldsIntoTheScaler() throws OnnxFormatException {
        // x' = x·[2, 4] + [−1, 1] = (x − [0.5, −0.25])·[2, 4]
        Graph g = new Graph().constant("m", new long[]{2}, 2, 4).constant("a", new long[]{1, 2}, -1, 1);
        g.node("Mul", List.of("m")).node("Add", List.of("a"));
        g.constant("W", new long[]{2, 2}, 1, 0, 0, 1).node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        Model model = g.read();
        assertArrayEquals(new float[]{0.5f, -0.25f}, model.scaler().shift());
        assertArrayEquals(new float[]{2, 4}, model.scaler().scale());
        assertEquals(FeatureScaler.Kind.STANDARDIZE, model.scaler().kind());
        assertArrayEquals(new float[]{1, 5}, predict(model, 1, 1));
    }

    @Test
    void constantsMayComeFirstForAddAndMul() throws OnnxFormatException {
        Graph g = new Graph().constant("m", new long[0], 2f);
        g.nodes.add(new OnnxProto.Node("scale", "Mul", List.of("m", "x"), List.of("s"), List.of()));
        g.current = "s";
        g.constant("W", new long[]{2, 2}, 1, 0, 0, 1).node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        assertArrayEquals(new float[]{2, 2}, g.read().scaler().scale());
    }

    @Test
    void trailingScalingBecomesTheTargetScalerOfARegressionModel() throws OnnxFormatException {
        // y = y' · 4 + 1: target scale 1/4, shift 1.
        Graph g = dense().constant("m", new long[0], 4f).constant("a", new long[0], 1f);
        g.node("Mul", List.of("m")).node("Add", List.of("a"));
        Model model = g.read();
        assertArrayEquals(new float[]{0.25f, 0.25f}, model.targetScaler().scale());
        assertArrayEquals(new float[]{1, 1}, model.targetScaler().shift());
        assertArrayEquals(new float[]{(1 + 2 + 0.5f) * 4 + 1, (3 + 4 - 0.5f) * 4 + 1}, predict(model, 1, 1));
        assertTrue(model.classLabels().isEmpty());
    }

    @Test
    void anAddRightAfterAGemmIsItsBias() throws OnnxFormatException {
        Model single = new Graph().constant("W", new long[]{1, 2}, 1, 2).node("Gemm", List.of("W"),
                OnnxProto.Attribute.ofInt("transB", 1)).node("Sigmoid").read();
        assertEquals(List.of("0", "1"), single.classLabels(), "one sigmoid output: labels by class index");
        Model model = dense().constant("a", new long[]{2}, 1, 2).node("Add", List.of("a")).node("Sigmoid").read();
        assertArrayEquals(new float[]{1, 2, 3, 4, 1.5f, 1.5f}, model.parameters().values());
        assertTrue(model.classLabels().isEmpty(), "two sigmoid outputs (multi-label): no default labels");
        assertEquals(Loss.BINARY_CROSS_ENTROPY, model.network().loss());
    }

    @Test
    void metadataAndOptionsNameTheFeaturesAndClasses() throws OnnxFormatException {
        Graph g = dense().node("Softmax", OnnxProto.Attribute.ofInt("axis", 1));
        g.metadata.add(new OnnxProto.Entry("backlane.class_labels", "[\"cat\", \"dog\"]"));
        g.metadata.add(new OnnxProto.Entry("backlane.feature_names", "[\"height\", \"weight\"]"));
        g.metadata.add(new OnnxProto.Entry("author", "someone"));
        Model model = g.read();
        assertEquals(List.of("cat", "dog"), model.classLabels());
        assertEquals(List.of("height", "weight"), model.featureNames());
        assertEquals(Map.of("author", "someone"), model.metadata());
        Model renamed = OnnxReader.read(g.bytes(), "t", OnnxReader.Options.defaults()
                .withClassLabels(List.of("a", "b")).withFeatureNames(List.of("p", "q")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxReader.read(g.bytes(), "t",
                OnnxReader.Options.defaults().withLoss(Loss.MEAN_SQUARED_ERROR))).getMessage().contains("loss option"));
        assertEquals(List.of("a", "b"), renamed.classLabels());
        assertEquals(List.of("p", "q"), renamed.featureNames());
        assertEquals(Loss.CATEGORICAL_CROSS_ENTROPY, model.network().loss());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxReader.read(g.bytes(), "t",
                OnnxReader.Options.defaults().withClassLabels(List.of("a", "b", "c")))).getMessage().contains("class labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxReader.read(g.bytes(), "t",
                OnnxReader.Options.defaults().withFeatureNames(List.of("a")))).getMessage().contains("feature names"));
        Model regression = OnnxReader.read(g.bytes(), "t", OnnxReader.Options.defaults().withClassLabels(List.of())
                .withLoss(Loss.CATEGORICAL_CROSS_ENTROPY));
        assertTrue(regression.classLabels().isEmpty());
    }

    @Test
    void anInputScaleOfZeroIgnoresTheFeatureAndRoundTrips() throws OnnxFormatException {
        // x' = x·[0, 2]: feature 0 ignored. A scale that underflows float (1e-30 twice) is the same model.
        for (float[] scales : new float[][] {{0, 2}, {1e-30f, 2}}) {
            Graph g = new Graph().constant("m", new long[]{2}, scales).node("Mul", List.of("m"));
            if (scales[0] != 0) {
                g.constant("m2", new long[]{2}, 1e-30f, 1).node("Mul", List.of("m2"));
            }
            g.constant("W", new long[]{2, 2}, 1, 0, 0, 1).node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
            Model model = g.read();
            assertArrayEquals(new float[]{0, 2}, model.scaler().scale());
            assertArrayEquals(new float[]{0, 6}, predict(model, 5, 3));
            assertEquals(model, OnnxReader.read(OnnxWriter.toBytes(model), "again.onnx"));
        }
    }

    @Test
    void anUnpairedSurrogateInTheMetadataIsAFormatError() {
        for (String name : new String[] {"\\ud800", "\\udc00", "a\\ud800b"}) {
            Graph g = dense();
            g.metadata.add(new OnnxProto.Entry("backlane.feature_names", "[\"" + name + "\", \"b\"]"));
            String message = g.fails().getMessage();
            assertTrue(message.contains("backlane.feature_names") && message.contains("unpaired surrogate"), message);
        }
        Graph pair = dense(); // a whole pair is one character, U+1F600
        pair.metadata.add(new OnnxProto.Entry("backlane.feature_names", "[\"\\ud83d\\ude00\", \"b\"]"));
        assertEquals("\ud83d\ude00", assertDoesNotThrow(pair::read).featureNames().get(0));
    }

    @Test
    void badMetadataIsAFormatError() {
        Graph g = dense();
        g.metadata.add(new OnnxProto.Entry("backlane.class_labels", "[\"cat\", "));
        assertTrue(g.fails().getMessage().contains("backlane.class_labels"));
        Graph three = dense();
        three.metadata.add(new OnnxProto.Entry("backlane.class_labels", "[\"a\", \"b\", \"c\"]"));
        assertTrue(three.fails().getMessage().contains("3 class labels"));
        Graph loss = dense();
        loss.metadata.add(new OnnxProto.Entry("backlane.loss", "HINGE"));
        assertTrue(loss.fails().getMessage().contains("HINGE"));
        Graph twice = dense();
        twice.metadata.add(new OnnxProto.Entry("k", "1"));
        twice.metadata.add(new OnnxProto.Entry("k", "2"));
        assertTrue(twice.fails().getMessage().contains("twice"));
    }

    @Test
    void identityFlattenAndReshapeAreNoOps() throws OnnxFormatException {
        Graph g = new Graph();
        g.initializers.add(OnnxProto.Tensor.ofInt64s("shape", new long[]{2}, new long[]{-1, 2}));
        g.node("Identity").node("Flatten", OnnxProto.Attribute.ofInt("axis", 1)).node("Reshape", List.of("shape"));
        g.constant("W", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        g.node("Identity");
        assertArrayEquals(new float[]{3, 7}, predict(g.read(), 1, 1));
    }

    @Test
    void softmaxAxesFollowEachOpsetsSemantics() throws OnnxFormatException {
        for (long opset : new long[]{9, 11, 13, 21}) {
            for (Long axis : new Long[]{null, 1L, -1L}) {
                Graph g = dense();
                g.opset = opset;
                if (axis == null) {
                    g.node("Softmax");
                } else {
                    g.node("Softmax", OnnxProto.Attribute.ofInt("axis", axis));
                }
                assertEquals(Activation.SOFTMAX, g.read().network().activation(1), "opset " + opset + " axis " + axis);
            }
            Graph across = dense();
            across.opset = opset;
            across.node("Softmax", OnnxProto.Attribute.ofInt("axis", 0));
            String message = across.fails().getMessage();
            assertTrue(message.contains("across the batch") && message.contains("opset " + opset), message);
        }
    }

    @Test
    void leakyReluTakesItsAlphaAndRefusesWhatBacklaneCannotRepresent() throws OnnxFormatException {
        assertEquals(0.01f, dense().node("LeakyRelu").read().network().layer(1).slope(), "ONNX's default alpha");
        assertEquals(0.5f, dense().node("LeakyRelu", OnnxProto.Attribute.ofFloat("alpha", 0.5f)).read()
                .network().layer(1).slope());
        for (float alpha : new float[]{-0.1f, 1f, 2f, Float.NaN}) {
            String message = dense().node("LeakyRelu", OnnxProto.Attribute.ofFloat("alpha", alpha)).fails().getMessage();
            assertTrue(message.contains("[0, 1)") && message.contains("'n1' (LeakyRelu)"), message);
        }
    }

    @Test
    void unsupportedOperatorsAreNamedWithTheSupportedList() {
        OnnxFormatException e = dense().node("Elu").fails();
        assertTrue(e.getMessage().contains("node 'n1' (Elu): operator Elu is not supported; supported: Gemm, MatMul"),
                e.getMessage());
        assertTrue(e.offset() > 0, "the node's byte offset");
        Graph custom = dense();
        custom.nodes.add(new OnnxProto.Node("zip", "ZipMap", "ai.onnx.ml", List.of(custom.current), List.of("z"),
                List.of(), -1));
        custom.current = "z";
        assertTrue(custom.fails().getMessage().contains("ai.onnx.ml.ZipMap is not supported"));
    }

    @Test
    void refusals() {
        Map<String, Graph> cases = new java.util.LinkedHashMap<>();
        cases.put("transA = 1", new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transA", 1)));
        cases.put("attribute 'unknown' is not supported", dense().node("Relu", OnnxProto.Attribute.ofInt("unknown", 1)));
        cases.put("only supported right after a dense layer", dense().node("Relu").node("Tanh"));
        cases.put("softmax is only supported on the output layer", dense().node("Softmax")
                .constant("W2", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W2"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("constant scaling between layers", dense().constant("m", new long[0], 2).node("Mul", List.of("m"))
                .constant("W2", new long[]{2, 2}, 1, 2, 3, 4).node("Gemm", List.of("W2"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("weights take 3 inputs but the input gives 2", new Graph().constant("W", new long[]{2, 3}, 1, 2, 3, 4, 5, 6)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("non-finite", new Graph().constant("W", new long[]{2, 2}, 1, Float.NaN, 3, 4)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("needs 4 values of float_data, found 3", new Graph().constant("W", new long[]{2, 2}, 1, 2, 3)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("attribute 'alpha' has type 2; expected FLOAT", dense().node("LeakyRelu",
                OnnxProto.Attribute.ofInt("alpha", 2)));
        cases.put("no dense layer", new Graph().node("Identity"));
        cases.put("input 1 must be a constant, and is missing", new Graph().node("Gemm"));
        cases.put("input 1 must be a constant, and is left out", dense().node("Add", List.of("")));
        cases.put("has 2 inputs; Relu takes one", dense().constant("c", new long[0], 1).node("Relu", List.of("c")));
        cases.put("scaling softmax probabilities", dense().node("Softmax").constant("m", new long[0], 2).node("Mul", List.of("m")));
        cases.put("a constant minus the data", dense());
        Graph reversed = cases.get("a constant minus the data").constant("c", new long[0], 1);
        reversed.nodes.add(new OnnxProto.Node("rsub", "Sub", List.of("c", reversed.current), List.of("r"), List.of()));
        reversed.current = "r";
        cases.put("Div by 0", dense().constant("z", new long[0], 0).node("Div", List.of("z")));
        cases.put("would mix examples", dense().node("Flatten", OnnxProto.Attribute.ofInt("axis", 0)));
        Graph badReshape = dense();
        badReshape.initializers.add(OnnxProto.Tensor.ofInt64s("s", new long[]{2}, new long[]{1, -1}));
        cases.put("is not a no-op", badReshape.node("Reshape", List.of("s")));
        Graph negativeReshape = dense();
        negativeReshape.initializers.add(OnnxProto.Tensor.ofInt64s("s", new long[]{2}, new long[]{-1, -5}));
        cases.put("reshape to [-1, -5] is not a no-op", negativeReshape.node("Reshape", List.of("s")));
        Graph rank3 = new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4);
        rank3.inputShape = List.of(new OnnxProto.Dim(-1, "N"), new OnnxProto.Dim(3, ""), new OnnxProto.Dim(2, ""));
        cases.put("flatten it to [batch, features] first", rank3.node("MatMul", List.of("W")));
        Graph opset8 = dense();
        opset8.opset = 8;
        cases.put("opset 8 is not supported; supported: 9 to 21", opset8);
        Graph opset22 = dense();
        opset22.opset = 22;
        cases.put("opset 22 is not supported", opset22);
        Graph branch = dense();
        branch.nodes.add(new OnnxProto.Node("side", "Relu", List.of("x"), List.of("s"), List.of()));
        cases.put("only a single chain", branch);
        Graph symbolic = dense();
        symbolic.inputShape = List.of(new OnnxProto.Dim(-1, "N"), new OnnxProto.Dim(-1, "F"));
        cases.put("must be a fixed size", symbolic);
        Graph external = new Graph().node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        external.initializers.add(new OnnxProto.Tensor("W", new long[]{2, 2}, OnnxProto.FLOAT, new float[0], new long[0],
                null, true, -1));
        cases.put("external file", external);
        Graph doubles = new Graph().node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1));
        doubles.initializers.add(new OnnxProto.Tensor("W", new long[]{2, 2}, 11, new float[0], new long[0],
                new byte[32], false, -1));
        cases.put("data type 11", doubles);
        // Each tensor name is given one value: a second would make the file mean two things.
        cases.put("attribute 'transB' is given twice", new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1), OnnxProto.Attribute.ofInt("transB", 0)));
        cases.put("two initializers are named 'W'", dense().constant("W", new long[]{2, 2}, 9, 9, 9, 9));
        Graph shadowed = new Graph().constant("W", new long[]{2, 2}, 1, 2, 3, 4);
        shadowed.nodes.add(new OnnxProto.Node("c", "Constant", List.of(), List.of("W"), List.of(OnnxProto.Attribute.ofTensor(
                "value", OnnxProto.Tensor.ofFloats("", new long[]{2, 2}, new float[]{7, 7, 7, 7})))));
        cases.put("its output 'W' is already the name of another tensor",
                shadowed.node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)));
        Graph inputShadowed = dense();
        inputShadowed.nodes.add(new OnnxProto.Node("again", "Relu", List.of(inputShadowed.current), List.of("x"), List.of()));
        inputShadowed.current = "x";
        cases.put("its output 'x' is already the name of another tensor", inputShadowed);
        cases.put("Sub after feature 0 was multiplied by 0", new Graph().constant("z", new long[0], 0).node("Mul", List.of("z"))
                .constant("c", new long[0], 1).node("Sub", List.of("c")).constant("W", new long[]{2, 2}, 1, 2, 3, 4)
                .node("Gemm", List.of("W"), OnnxProto.Attribute.ofInt("transB", 1)));
        cases.put("Mul by 0 cannot be represented", dense().constant("z", new long[0], 0).node("Mul", List.of("z")));
        cases.forEach((expected, graph) -> {
            String message = graph.fails().getMessage();
            assertTrue(message.contains(expected), expected + " not in: " + message);
        });
    }

    @Test
    void aBacklaneFileIsNamedAsSuch() {
        byte[] bkln = ModelWriter.toBytes(TestModels.small());
        assertTrue(assertThrows(OnnxFormatException.class, () -> OnnxReader.read(bkln, "m.bkln")).getMessage()
                .contains("backlane model file (.bkln)"));
    }
}
