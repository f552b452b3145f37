package io.backlane.cli;

import io.backlane.data.BundledDatasets;
import io.backlane.data.Dataset;
import io.backlane.io.ModelReader;
import io.backlane.nn.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --save}, then {@code evaluate} and {@code predict} with the saved model. */
class ModelCommandsTest {
    @TempDir
    static Path dir;
    static Path model;
    static Dataset cancer;

    @BeforeAll
    static void trainAndSave() {
        model = dir.resolve("cancer.bkln");
        cancer = BundledDatasets.load("breast-cancer");
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--epochs", "20", "--save", model.toString()).expect(0);
        assertTrue(r.out().contains("saved     " + model), r.out());
    }

    @Test
    void savedModelHasTheClassesAndTheScaler() throws IOException {
        Model m = ModelReader.load(model);
        assertEquals(List.of("benign", "malignant"), m.classLabels());
        assertEquals(30, m.network().inputWidth());
        assertEquals("STANDARDIZE", m.scaler().kind().name());
    }

    @Test
    void evaluateOnTheBundledData() {
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--data", "breast-cancer").expect(0);
        assertTrue(r.out().contains("569 examples"), r.out());
        for (String s : List.of("accuracy", "loss", "precision", "recall", "f1", "roc_auc", "benign", "malignant")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
        assertTrue(r.accuracy() > 0.95, r.out());
    }

    @Test
    void evaluateOnACsvFileWithTheLabelByName() throws IOException {
        // label column first, so that --label must name it
        Dataset d = cancer.subset(range(0, 50));
        String csv = Cli.csv(d, true);
        Path file = Cli.write(dir.resolve("first50.csv"), moveLastColumnFirst(csv));
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--data", file.toString(),
                "--label", "diagnosis").expect(0);
        assertTrue(r.out().contains("50 examples"), r.out());
        Cli.run("evaluate", "--model", model.toString(), "--data", file.toString(), "--label", "0").expect(0);
    }

    @Test
    void evaluateRejectsAClassTheModelDoesNotKnow() throws IOException {
        Path file = Cli.write(dir.resolve("unknown-class.csv"), Cli.csv(cancer.subset(range(0, 3)), true)
                .replaceFirst("malignant\n", "harmless\n"));
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--data", file.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains(file + ", line 2, column 31 \"diagnosis\""), r.err());
        assertTrue(r.err().contains("\"harmless\" is not one of the 2 known classes"), r.err());
    }

    @Test
    void predictACsvFileIgnoringItsLabelColumn() throws IOException {
        Dataset d = cancer.subset(range(100, 140));
        Path file = Cli.write(dir.resolve("forty.csv"), Cli.csv(d, true));
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--label", "diagnosis", file.toString()).expect(0);
        List<String[]> rows = checkPredictions(r.out(), 40);
        int right = 0;
        for (int i = 0; i < 40; i++) {
            right += rows.get(i + 1)[0].equals(d.classLabels().get(d.classIndex(i))) ? 1 : 0;
        }
        assertTrue(right >= 36, right + " of 40 right");
    }

    @Test
    void predictFromStandardInput() {
        String features = Cli.csv(cancer.subset(range(0, 25)).withoutTargets(), false);
        Cli.Result dash = Cli.runWithInput(features, "predict", "--model", model.toString(), "-").expect(0);
        checkPredictions(dash.out(), 25);
        Cli.Result none = Cli.runWithInput(features, "predict", "--model", model.toString()).expect(0);
        assertEquals(dash.out(), none.out());
        // a --label that the input does not have: every column is a feature
        Cli.Result absent = Cli.runWithInput(features, "predict", "--model", model.toString(), "--label", "diagnosis").expect(0);
        assertEquals(dash.out(), absent.out());
    }

    @Test
    void predictWithAnUnnamedLabelColumnSaysHowToIgnoreIt() {
        String labelled = Cli.csv(cancer.subset(range(0, 5)), true).replace("malignant", "1").replace("benign", "0");
        Cli.Result r = Cli.runWithInput(labelled, "predict", "--model", model.toString()).expect(1).noStackTrace();
        // Columns are matched by name: the label column is the one the model does not know.
        assertTrue(r.err().contains("<stdin>: the columns do not match the model's features"), r.err());
        assertTrue(r.err().contains("unknown [\"diagnosis\"]"), r.err());
        assertTrue(r.err().contains("name it with --label to ignore it"), r.err());
    }

    /** Header "predicted,p_benign,p_malignant", n rows, probabilities summing to 1, the label being the argmax. */
    private static List<String[]> checkPredictions(String out, int n) {
        List<String[]> rows = Cli.parseCsv(out);
        assertEquals(n + 1, rows.size(), out);
        assertEquals(List.of("predicted", "p_benign", "p_malignant"), Arrays.asList(rows.get(0)));
        List<String> labels = List.of("benign", "malignant");
        for (String[] row : rows.subList(1, rows.size())) {
            assertEquals(3, row.length);
            assertTrue(labels.contains(row[0]), row[0]);
            double p0 = Double.parseDouble(row[1]);
            double p1 = Double.parseDouble(row[2]);
            assertTrue(p0 >= 0 && p0 <= 1 && p1 >= 0 && p1 <= 1, Arrays.toString(row));
            assertEquals(1.0, p0 + p1, 2e-6, Arrays.toString(row));
            assertEquals(p1 >= 0.5 ? "malignant" : "benign", row[0]);
        }
        return rows;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    private static String moveLastColumnFirst(String csv) {
        StringBuilder s = new StringBuilder();
        for (String line : csv.split("\n")) {
            int comma = line.lastIndexOf(',');
            s.append(line.substring(comma + 1)).append(',').append(line, 0, comma).append('\n');
        }
        return s.toString();
    }
}
