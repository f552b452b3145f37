package io.backlane.io;

import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Loss;
import io.backlane.nn.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The committed golden file of format version 1. Every later version of the library must still read
 * it to exactly these values; if the writer's output for the same model changes, the format changed
 * and needs a new version number (and a golden-v2 file beside this one), see docs/model-format.md.
 */
class GoldenModelTest {
    private static Path golden;
    private static byte[] goldenBytes;

    @BeforeAll
    static void locate() throws URISyntaxException, IOException {
        var url = GoldenModelTest.class.getResource(GoldenModels.FILE);
        assertNotNull(url, GoldenModels.FILE + " missing from the test resources");
        golden = Path.of(url.toURI());
        goldenBytes = Files.readAllBytes(golden);
    }

    @Test
    void theCommittedFileIsTheOneWrittenOnTheDay() {
        // Hard-coded on the day the file was written: a regenerated or re-encoded (CRLF!) file fails here.
        assertEquals(329, goldenBytes.length);
        assertEquals(0xA005A147L, TestModels.u32(goldenBytes, 28), "header CRC32C");
        assertEquals(0x8107CC51L, TestModels.u32(goldenBytes, goldenBytes.length - 4), "file CRC32C");
    }

    @Test
    void everyFieldHasTheExpectedValue() throws IOException {
        Model m = ModelReader.load(golden);
        assertEquals("4-5(tanh)-3(softmax) categorical_cross_entropy", m.network().toString());
        assertEquals(4, m.network().inputWidth());
        assertEquals(2, m.network().layerCount());
        assertEquals(5, m.network().width(1));
        assertEquals(Activation.TANH, m.network().activation(1));
        assertEquals(3, m.network().width(2));
        assertEquals(Activation.SOFTMAX, m.network().activation(2));
        assertEquals(0f, m.network().layer(1).slope());
        assertEquals(Loss.CATEGORICAL_CROSS_ENTROPY, m.network().loss());

        float[] values = m.parameters().values();
        assertEquals(43, values.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(Float.floatToRawIntBits((float) (StrictMath.sin(i) * 0.5)), Float.floatToRawIntBits(values[i]),
                    "parameter " + i);
        }
        assertEquals(0.4546487f, m.parameters().weight(1, 0, 2));      // sin(2)/2, a spot check in plain digits
        assertEquals(0.37255657f, m.parameters().bias(2, 0));          // sin(40)/2: b[2] starts at 4·5 + 5 + 5·3

        assertEquals(FeatureScaler.Kind.STANDARDIZE, m.scaler().kind());
        assertArrayEquals(new float[]{5.843f, 3.057f, 3.758f, 1.199f}, m.scaler().shift());
        assertArrayEquals(new float[]{1.2115f, 2.3056f, 0.5675f, 1.3140f}, m.scaler().scale());
        assertEquals(List.of("setosa", "versicolor", "virginica"), m.classLabels());

        ModelRoundTripTest.assertSameModel(GoldenModels.model(), m);
    }

    @Test
    void reSavingWritesTheSameModelInTheCurrentVersion(@TempDir Path dir) throws IOException {
        // The writer writes only the current version (2; golden-v2.bkln has the byte-exact check):
        // a re-saved version-1 model must come back identical, with version 1's defaults.
        Model loaded = ModelReader.load(golden);
        assertArrayEquals(goldenBytes, TestModels.v1Bytes(GoldenModels.model()), "the version-1 encoding of the model");
        Path copy = dir.resolve("copy.bkln");
        ModelWriter.save(loaded, copy);
        assertEquals(ModelFormat.CURRENT_VERSION, TestModels.u32(Files.readAllBytes(copy), 8));
        ModelRoundTripTest.assertSameModel(loaded, ModelReader.load(copy));
    }

    /** The rows of golden-v1-expected.csv: 4 inputs then 3 probabilities. */
    static List<double[]> expectedRows() throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (InputStream in = GoldenModelTest.class.getResourceAsStream(GoldenModels.EXPECTED_CSV)) {
            assertNotNull(in, GoldenModels.EXPECTED_CSV + " missing from the test resources");
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("x0,")) {
                    continue;
                }
                rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
            }
        }
        return rows;
    }

    @Test
    void predictionsMatchTheValuesRecordedWhenTheFileWasWritten() throws IOException {
        Model m = ModelReader.load(golden);
        List<double[]> rows = expectedRows();
        assertEquals(5, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            float[] x = new float[4];
            for (int j = 0; j < 4; j++) {
                x[j] = (float) row[j];
            }
            assertArrayEquals(GoldenModels.INPUTS[r], x, "input row " + r);
            double[] p = GoldenModels.forward(m, x);
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                // StrictMath makes this exact today; the margin only allows the reference pass to be refactored.
                assertEquals(row[4 + k], p[k], 1e-12, "row " + r + ", class " + m.classLabels().get(k));
                sum += p[k];
            }
            assertEquals(1.0, sum, 1e-12);
        }
        // Two values in plain sight, so that an edited CSV cannot silently move the target.
        assertEquals(0.6755215548681403, rows.get(0)[4], 0.0);
        assertEquals(0.1792648053177916, rows.get(4)[6], 0.0);
    }

    @Test
    void theFastPredictorGivesTheRecordedPredictions() throws IOException {
        // The serving path (scaler, vector or scalar kernels, float) on the golden file must keep
        // agreeing with the values recorded when the file was written, to float precision.
        Model m = ModelReader.load(golden);
        io.backlane.infer.Predictor predictor = io.backlane.infer.Predictor.of(m);
        List<double[]> rows = expectedRows();
        float[] p = new float[3];
        for (int r = 0; r < rows.size(); r++) {
            predictor.predict(GoldenModels.INPUTS[r].clone(), p);
            for (int k = 0; k < 3; k++) {
                assertEquals(rows.get(r)[4 + k], p[k], 2e-6, "row " + r + ", class " + k);
            }
        }
    }
}
