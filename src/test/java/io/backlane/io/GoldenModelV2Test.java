package io.backlane.io;

import io.backlane.infer.Predictor;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed golden files of format version 2 (see {@link GoldenModelsV2}). Every later version of
 * the library must still read them to exactly these values; if the writer's output for the same
 * models changes, the format changed and needs a new version number, see docs/model-format.md.
 */
class GoldenModelV2Test {
    static Path resource(String name) throws URISyntaxException {
        var url = GoldenModelV2Test.class.getResource(name);
        assertNotNull(url, name + " missing from the test resources");
        return Path.of(url.toURI());
    }

    @Test
    void theCommittedFilesAreTheOnesWrittenOnTheDay() throws Exception {
        // Hard-coded on the day the files were written: a regenerated or re-encoded (CRLF!) file fails here.
        byte[] c = Files.readAllBytes(resource(GoldenModelsV2.CLASSIFIER_FILE));
        assertEquals(620, c.length);
        assertEquals(2, TestModels.u32(c, 8), "format version");
        assertEquals(0x5168DE0EL, TestModels.u32(c, 44), "header CRC32C");
        assertEquals(0xDDDCBB03L, TestModels.u32(c, c.length - 4), "file CRC32C");
        byte[] r = Files.readAllBytes(resource(GoldenModelsV2.REGRESSION_FILE));
        assertEquals(354, r.length);
        assertEquals(0x554F47B1L, TestModels.u32(r, 44), "header CRC32C");
        assertEquals(0xC3B87F20L, TestModels.u32(r, r.length - 4), "file CRC32C");
    }

    @Test
    void everyFieldOfTheClassifierHasTheExpectedValue() throws Exception {
        Model m = ModelReader.load(resource(GoldenModelsV2.CLASSIFIER_FILE));
        assertEquals("4-5(tanh)-3(softmax) categorical_cross_entropy", m.network().toString());
        assertEquals(List.of("sepal length", "sepal,width", "petal \"length\"", "petal width (cm²)"), m.featureNames());
        assertEquals(List.of("setosa", "versicolor", "virginica"), m.classLabels());
        assertArrayEquals(new float[]{5.843f, 3.057f, 3.758f, 1.199f}, m.scaler().shift());
        assertTrue(m.targetScaler().isIdentity());
        assertEquals(List.of(Map.entry("backlane_version", "golden"), Map.entry("created", "2024-06-11T12:00:00Z"),
                Map.entry("command", "train iris.csv --label species --save golden-v2.bkln")),
                List.copyOf(m.metadata().entrySet()));
        assertEquals("b61f455ef282bac491a86b37ebf53eb6", m.id());
        // The same network, scaler and labels as the version-1 golden file; only names (and metadata) differ.
        ModelRoundTripTest.assertSameModel(GoldenModelsV2.classifier(), m);
    }

    @Test
    void everyFieldOfTheRegressionModelHasTheExpectedValue() throws Exception {
        Model m = ModelReader.load(resource(GoldenModelsV2.REGRESSION_FILE));
        assertEquals("3-4(tanh)-1(identity) mean_squared_error", m.network().toString());
        assertEquals(List.of("area", "rooms", "age"), m.featureNames());
        assertEquals(List.of(), m.classLabels());
        assertEquals(FeatureScaler.Kind.STANDARDIZE, m.targetScaler().kind());
        assertArrayEquals(new float[]{200_000f}, m.targetScaler().shift());
        assertArrayEquals(new float[]{2e-5f}, m.targetScaler().scale());
        assertEquals(Map.of("description", "golden regression model of format version 2"), m.metadata());
        assertEquals("5153d9919b878d8fdea6679d8ee32648", m.id());
        ModelRoundTripTest.assertSameModel(GoldenModelsV2.regression(), m);
    }

    @Test
    void reSavingGivesTheSameBytes(@TempDir Path dir) throws Exception {
        for (String name : List.of(GoldenModelsV2.CLASSIFIER_FILE, GoldenModelsV2.REGRESSION_FILE)) {
            byte[] golden = Files.readAllBytes(resource(name));
            Model loaded = ModelReader.load(resource(name));
            assertArrayEquals(golden, ModelWriter.toBytes(loaded), "re-saving the loaded " + name);
            Path copy = dir.resolve(name);
            ModelWriter.save(loaded, copy);
            assertArrayEquals(golden, Files.readAllBytes(copy), name);
        }
        assertArrayEquals(Files.readAllBytes(resource(GoldenModelsV2.CLASSIFIER_FILE)),
                ModelWriter.toBytes(GoldenModelsV2.classifier()), "saving the classifier rebuilt from its formulas");
        assertArrayEquals(Files.readAllBytes(resource(GoldenModelsV2.REGRESSION_FILE)),
                ModelWriter.toBytes(GoldenModelsV2.regression()), "saving the regression model rebuilt from its formulas");
    }

    /** The numeric rows of an expected-output CSV: comment lines and the header left out. */
    static List<double[]> rows(String csv) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (InputStream in = GoldenModelV2Test.class.getResourceAsStream(csv)) {
            assertNotNull(in, csv + " missing from the test resources");
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            boolean header = true;
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (header) {
                    header = false;
                    continue;
                }
                rows.add(Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray());
            }
        }
        return rows;
    }

    @Test
    void classifierPredictionsMatchTheValuesRecordedWhenTheFileWasWritten() throws Exception {
        Model m = ModelReader.load(resource(GoldenModelsV2.CLASSIFIER_FILE));
        Predictor predictor = Predictor.of(m);
        List<double[]> rows = rows(GoldenModelsV2.CLASSIFIER_CSV);
        assertEquals(5, rows.size());
        float[] p = new float[3];
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            float[] x = GoldenModels.INPUTS[r].clone();
            for (int j = 0; j < 4; j++) {
                assertEquals(x[j], (float) row[j], "input row " + r);
            }
            double[] reference = GoldenModels.forward(m, x);
            predictor.predict(x, p);
            for (int k = 0; k < 3; k++) {
                assertEquals(row[4 + k], reference[k], 1e-12, "row " + r + ", class " + k);
                assertEquals(row[4 + k], p[k], 2e-6, "fast predictor, row " + r + ", class " + k);
            }
        }
        assertEquals(0.6755215548681403, rows.get(0)[4], 0.0);   // in plain sight: an edited CSV cannot move it
    }

    @Test
    void regressionPredictionsComeBackInTheTargetsUnits() throws Exception {
        Model m = ModelReader.load(resource(GoldenModelsV2.REGRESSION_FILE));
        Predictor predictor = Predictor.of(m);
        List<double[]> rows = rows(GoldenModelsV2.REGRESSION_CSV);
        assertEquals(4, rows.size());
        float[] price = new float[1];
        for (int r = 0; r < rows.size(); r++) {
            double[] row = rows.get(r);
            float[] x = GoldenModelsV2.HOUSE_INPUTS[r].clone();
            for (int j = 0; j < 3; j++) {
                assertEquals(x[j], (float) row[j], "input row " + r);
            }
            assertEquals(row[3], GoldenModelsV2.regressionForward(m, x), 1e-6, "reference, row " + r);
            predictor.predict(x, price);
            // float32 throughout: about 1e-7 relative to the network's output, times the 50,000 of the target scale
            assertEquals(row[3], price[0], 0.1, "fast predictor, row " + r);
        }
        assertEquals(214218.90468860554, rows.get(0)[3], 0.0);
    }

    @Test
    void version1FilesLoadWithVersion2Defaults() throws Exception {
        Model m = ModelReader.load(resource(GoldenModels.FILE));
        assertEquals(List.of("x0", "x1", "x2", "x3"), m.featureNames());
        assertTrue(m.targetScaler().isIdentity());
        assertEquals(FeatureScaler.Kind.NONE, m.targetScaler().kind());
        assertEquals(3, m.targetScaler().width());
        assertEquals(Map.of(), m.metadata());
        assertEquals(GoldenModels.model().id(), m.id());
    }
}
