package io.backlane.io;

import io.backlane.infer.Predictor;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import io.backlane.nn.Parameters;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.DynamicTest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX files that PyTorch 1.13 exported (src/test/resources/io/backlane/io/onnx/make_fixtures.py):
 * Gemm and MatMul + Add forms, opsets 9, 11, 13 and 17, every activation, input normalization, Flatten
 * and Reshape. Each imports, and backlane's predictions match PyTorch's recorded outputs within 1e-5.
 */
class OnnxPyTorchFixturesTest {
    static final String DIR = "/io/backlane/io/onnx/";

    static byte[] resource(String name) throws IOException {
        try (InputStream in = OnnxPyTorchFixturesTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, name + " is missing from the test resources");
            return in.readAllBytes();
        }
    }

    static List<String> fixtureNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : new String(resource("fixtures.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** A fixture's recorded rows: inputs and PyTorch's outputs. */
    record Expected(int inputs, int outputs, List<float[]> rows) {
        static Expected of(String name) throws IOException {
            String[] lines = new String(resource(name + ".csv"), StandardCharsets.UTF_8).split("\n");
            String[] header = lines[0].split(",");
            int inputs = (int) Arrays.stream(header).filter(h -> h.startsWith("x")).count();
            List<float[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String[] cells = lines[i].split(",");
                float[] row = new float[cells.length];
                for (int j = 0; j < cells.length; j++) {
                    row[j] = Float.parseFloat(cells[j]);
                }
                rows.add(row);
            }
            return new Expected(inputs, header.length - inputs, rows);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureMatchesPyTorch() throws IOException {
        List<String> names = fixtureNames();
        assertTrue(names.size() >= 10, "fixtures.txt lists " + names);
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : names) {
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Model model = OnnxReader.read(resource(name + ".onnx"), name);
                Expected expected = Expected.of(name);
                assertEquals(expected.inputs(), model.network().inputWidth(), "inputs");
                assertEquals(expected.outputs(), model.network().outputWidth(), "outputs");
                Predictor predictor = Predictor.of(model);
                float[] out = new float[expected.outputs()];
                for (float[] row : expected.rows()) {
                    predictor.predict(Arrays.copyOf(row, expected.inputs()), out);
                    for (int k = 0; k < out.length; k++) {
                        float want = row[expected.inputs() + k];
                        assertEquals(want, out[k], 1e-5, name + " output " + k + " for " + Arrays.toString(row));
                    }
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void theFixturesCoverBothFormsEveryActivationAndTheNormalization() throws IOException {
        List<String> ops = new ArrayList<>();
        List<Long> opsets = new ArrayList<>();
        for (String name : fixtureNames()) {
            OnnxProto.Model proto = OnnxProto.decode(resource(name + ".onnx"), name);
            proto.graph().nodes().forEach(n -> ops.add(n.opType()));
            opsets.add(proto.opsets().get(0).version());
        }
        for (String op : List.of("Gemm", "MatMul", "Add", "Sub", "Div", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
                "Softmax", "Flatten", "Reshape")) {
            assertTrue(ops.contains(op), op + " is in no fixture: " + ops);
        }
        assertTrue(opsets.containsAll(List.of(9L, 11L, 13L, 17L)), "opsets " + opsets);
    }

    @Test
    void importedModelsGetTheLossAndLabelsTheirOutputImplies() throws IOException {
        Model softmax = OnnxReader.read(resource("gemm_relu_softmax_opset9.onnx"), "softmax");
        assertEquals(Loss.CATEGORICAL_CROSS_ENTROPY, softmax.network().loss());
        assertEquals(List.of("0", "1", "2"), softmax.classLabels());
        assertEquals(List.of("x0", "x1", "x2", "x3"), softmax.featureNames());
        Model sigmoid = OnnxReader.read(resource("gemm_tanh_sigmoid_opset11.onnx"), "sigmoid");
        assertEquals(Loss.BINARY_CROSS_ENTROPY, sigmoid.network().loss());
        assertEquals(List.of("0", "1"), sigmoid.classLabels());
        Model regression = OnnxReader.read(resource("gemm_leaky_identity_opset13.onnx"), "regression");
        assertEquals(Loss.MEAN_SQUARED_ERROR, regression.network().loss());
        assertFalse(regression.isClassifier());
        assertEquals(Activation.LEAKY_RELU, regression.network().activation(1));
        assertEquals(0.2f, regression.network().layer(1).slope());
    }

    @Test
    void theInputNormalizationBecomesTheFeatureScaler() throws IOException {
        Model model = OnnxReader.read(resource("normalized_gemm_relu_softmax_opset17.onnx"), "normalized");
        FeatureScaler scaler = model.scaler();
        assertEquals(FeatureScaler.Kind.STANDARDIZE, scaler.kind());
        assertArrayEquals(new float[]{5.8f, 3.0f, 3.7f, 1.2f}, scaler.shift());
        float[] std = {0.8f, 0.4f, 1.7f, 0.75f};
        for (int j = 0; j < std.length; j++) {
            assertEquals((float) (1.0 / std[j]), scaler.scale()[j], "scale " + j);
        }
        assertEquals(2, model.network().layerCount(), "the Sub and Div are not layers");
    }

    @Test
    void anImportedModelTrainsFurther() throws IOException {
        Model model = OnnxReader.read(resource("gemm_relu_softmax_opset9.onnx"), "fine-tune");
        int rows = 32;
        float[] x = OnnxTestModels.inputs(rows, 4, 5L);
        float[] y = new float[rows * 3];
        for (int i = 0; i < rows; i++) {
            y[i * 3 + i % 3] = 1f;   // one-hot targets for its categorical cross-entropy
        }
        double before = Predictor.of(model).meanLoss(x, 0, y, 0, rows);
        Parameters params = model.parameters();
        try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.05f)).batchSize(rows).build()) {
            for (int step = 0; step < 50; step++) {
                trainer.step(x, 0, y, 0, rows);
            }
        }
        double after = Predictor.of(new Model(params, model.scaler(), model.classLabels())).meanLoss(x, 0, y, 0, rows);
        assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
    }

    private static void assertArrayEquals(float[] expected, float[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }
}
