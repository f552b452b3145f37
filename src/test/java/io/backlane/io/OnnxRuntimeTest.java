package io.backlane.io;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.backlane.infer.Predictor;
import io.backlane.nn.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime (the reference implementation, a test-only dependency) runs every model backlane
 * exports, at every opset the writer offers (9 to 21, including 18 to 21, which no fixture of PyTorch
 * 1.13 has), and answers as backlane does within 1e-5 (relative, for outputs above 1 in size).
 */
class OnnxRuntimeTest {
    static final double TOLERANCE = 1e-5;
    private static final int ROWS = 33;

    @TestFactory
    Stream<DynamicTest> onnxRuntimeAgreesWithBacklaneOnEveryExport() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Model> entry : OnnxTestModels.all().entrySet()) {
            for (int opset = OnnxWriter.MIN_OPSET; opset <= OnnxWriter.MAX_OPSET; opset++) {
                int o = opset;
                tests.add(DynamicTest.dynamicTest(entry.getKey() + ", opset " + opset,
                        () -> assertAgrees(entry.getValue(), OnnxWriter.toBytes(entry.getValue(), o))));
            }
        }
        return tests.stream();
    }

    /** Runs {@code onnx} in ONNX Runtime on fixed inputs and compares with backlane's predictions of {@code model}. */
    static void assertAgrees(Model model, byte[] onnx) throws OrtException {
        int in = model.network().inputWidth();
        int out = model.network().outputWidth();
        float[] x = OnnxTestModels.inputs(ROWS, in, 11L);
        float[] expected = new float[ROWS * out];
        Predictor.of(model).predict(x, 0, expected, 0, ROWS);
        float[][] actual = run(onnx, x, new long[]{ROWS, in});
        for (int i = 0; i < ROWS; i++) {
            for (int k = 0; k < out; k++) {
                float want = expected[i * out + k];
                assertEquals(want, actual[i][k], TOLERANCE * Math.max(1, Math.abs(want)),
                        "row " + i + " output " + k);
            }
        }
    }

    /** ONNX Runtime's outputs for the input {@code x} of {@code shape}, fed to the model's only input. */
    static float[][] run(byte[] onnx, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
                return (float[][]) result.get(0).getValue();
            }
        }
    }

    @Test
    void onnxRuntimeSeesTheNamesAndTheDynamicBatch() throws OrtException {
        Model model = OnnxTestModels.all().values().iterator().next();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(OnnxWriter.toBytes(model), new OrtSession.SessionOptions())) {
            assertEquals(List.of(OnnxWriter.INPUT), List.copyOf(session.getInputNames()));
            assertEquals(List.of(OnnxWriter.OUTPUT), List.copyOf(session.getOutputNames()));
            String input = session.getInputInfo().get(OnnxWriter.INPUT).getInfo().toString();
            assertTrue(input.contains("shape=[-1, 4]"), input);
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertEquals(model.id(), metadata.get("backlane.model_id"));
            assertEquals("[\"setosa\", \"versicolor\", \"virginica\"]", metadata.get("backlane.class_labels"));
            assertEquals("backlane", session.getMetadata().getProducerName());
        }
        for (int rows : new int[]{1, 64}) {
            float[][] y = run(OnnxWriter.toBytes(model), OnnxTestModels.inputs(rows, 4, 1L), new long[]{rows, 4});
            assertEquals(rows, y.length);
        }
    }

    @Test
    void thePyTorchFixturesRunInOnnxRuntimeAsTheyDoInBacklane() throws IOException, OrtException {
        // The same files through both, on the inputs PyTorch recorded, in the input's declared shape (a fixed
        // batch of 6 for some; rank 3 for the Flatten and Reshape ones): proves the fixtures are valid ONNX and
        // that the importer reads them as ONNX Runtime does.
        for (String name : OnnxPyTorchFixturesTest.fixtureNames()) {
            byte[] onnx = OnnxPyTorchFixturesTest.resource(name + ".onnx");
            OnnxPyTorchFixturesTest.Expected expected = OnnxPyTorchFixturesTest.Expected.of(name);
            int rows = expected.rows().size();
            float[] x = new float[rows * expected.inputs()];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(expected.rows().get(i), 0, x, i * expected.inputs(), expected.inputs());
            }
            List<OnnxProto.Dim> dims = OnnxProto.decode(onnx, name).graph().inputs().get(0).shape();
            long[] shape = new long[dims.size()];
            shape[0] = rows;
            for (int d = 1; d < shape.length; d++) {
                shape[d] = dims.get(d).value();
            }
            float[][] ort = run(onnx, x, shape);
            float[] ours = new float[rows * expected.outputs()];
            Predictor.of(OnnxReader.read(onnx, name)).predict(x, 0, ours, 0, rows);
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < expected.outputs(); k++) {
                    assertEquals(ort[i][k], ours[i * expected.outputs() + k], TOLERANCE, name + " row " + i + " output " + k);
                }
            }
        }
    }
}
