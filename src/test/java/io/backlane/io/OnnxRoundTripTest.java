package io.backlane.io;

import io.backlane.infer.Predictor;
import io.backlane.nn.Model;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export then import gives the same model: parameters bit for bit, scalers, labels, names, metadata, id, predictions. */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyModelComesBackEqualAtEveryOpset() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Model> entry : OnnxTestModels.all().entrySet()) {
            for (int opset = OnnxWriter.MIN_OPSET; opset <= OnnxWriter.MAX_OPSET; opset++) {
                int o = opset;
                tests.add(DynamicTest.dynamicTest(entry.getKey() + ", opset " + opset, () -> {
                    Model model = entry.getValue();
                    Model back = OnnxReader.read(OnnxWriter.toBytes(model, o), "round trip");
                    assertEquals(model, back);
                    assertEquals(model.id(), back.id());
                    assertArrayEquals(model.parameters().values(), back.parameters().values());
                    assertBitIdenticalPredictions(model, back);
                }));
            }
        }
        return tests.stream();
    }

    static void assertBitIdenticalPredictions(Model model, Model back) {
        int rows = 17;
        float[] x = OnnxTestModels.inputs(rows, model.network().inputWidth(), 3L);
        float[] a = new float[rows * model.network().outputWidth()];
        float[] b = new float[a.length];
        Predictor.of(model).predict(x, 0, a, 0, rows);
        Predictor.of(back).predict(x, 0, b, 0, rows);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "output " + i);
        }
    }

    @Test
    void theExportIsDeterministicAndStartsWithTheIrVersion() {
        Model model = OnnxTestModels.all().values().iterator().next();
        byte[] bytes = OnnxWriter.toBytes(model);
        assertArrayEquals(bytes, OnnxWriter.toBytes(model));
        assertEquals(0x08, bytes[0], "field 1 (ir_version), varint: what the CLI sniffs");
        assertEquals(8, bytes[1], "IR version 8 goes with opset 17");
    }

    @Test
    void saveWritesAFileThatLoadsBack() throws IOException {
        Model model = OnnxTestModels.all().get("regression head with target scaler, scaler");
        Path file = dir.resolve("m.onnx");
        OnnxWriter.save(model, file);
        assertEquals(model, OnnxReader.load(file));
        assertArrayEquals(OnnxWriter.toBytes(model), Files.readAllBytes(file));
        OnnxWriter.save(model, file, 9);
        assertEquals(model, OnnxReader.load(file));
    }

    @Test
    void badArgumentsAreIllegalArguments() {
        Model model = OnnxTestModels.all().values().iterator().next();
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(model, 8))
                .getMessage().contains("from 9 to 21"));
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.toBytes(model, 22));
        assertThrows(IllegalArgumentException.class, () -> OnnxWriter.save(model, null));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.toBytes(model.withMetadata(Map.of("backlane.loss", "x")))).getMessage()
                .contains("backlane."));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OnnxWriter.toBytes(model.withMetadata(Map.of("note", "\uD800")))).getMessage()
                .contains("not valid Unicode"));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.read(null, "x"));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.load(null));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.read(new byte[0], "x", null));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.Options.defaults().withClassLabels(null));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.Options.defaults().withFeatureNames(null));
        assertThrows(IllegalArgumentException.class, () -> OnnxReader.Options.defaults().withLoss(null));
    }
}
