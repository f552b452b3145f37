package io.backlane.cli;

import io.backlane.io.ModelReader;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What format version 2 gives the commands: {@code train} stores the feature names, metadata and
 * (for regression) the target scaler and prints the model id; {@code predict} and {@code evaluate}
 * match CSV columns to the model's features by header name.
 */
class ModelFileV2CliTest {
    @TempDir
    static Path dir;
    static Path houses;
    static Path model;
    static Cli.Result trained;

    /**
     * House prices near 2.5e5: price = 1000·area + 20000·rooms − 500·age + 50000 + noise (σ 5000).
     * Without a target scaler, the defaults trained this to R² = −31.
     */
    static String housesCsv(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("area,rooms,age,price\n");
        for (int i = 0; i < rows; i++) {
            double area = 50 + 200 * r.nextDouble();
            int rooms = 1 + r.nextInt(6);
            double age = 80 * r.nextDouble();
            double price = 1000 * area + 20000 * rooms - 500 * age + 50000 + 5000 * r.nextGaussian();
            s.append(String.format(Locale.ROOT, "%.2f,%d,%.1f,%.0f%n", area, rooms, age, price));
        }
        return s.toString();
    }

    @BeforeAll
    static void trainWithTheDefaults() throws IOException {
        houses = Cli.write(dir.resolve("houses.csv"), housesCsv(600, 7));
        model = dir.resolve("houses.bkln");
        trained = Cli.run("train", "--data", houses.toString(), "--label", "price", "--save", model.toString()).expect(0);
    }

    private static double printed(String out, String metric) {
        Matcher m = Pattern.compile("\\b" + metric + "\\s+(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)").matcher(out);
        assertTrue(m.find(), () -> "no " + metric + " in:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void regressionWithTargetsNear2e5LearnsWithTheDefaults() throws IOException {
        assertTrue(printed(trained.out(), "r2") > 0.9, trained.out());
        Model m = ModelReader.load(model);
        assertEquals(FeatureScaler.Kind.STANDARDIZE, m.targetScaler().kind());
        assertEquals(2.5e5, m.targetScaler().shift()[0], 2e4, "about the mean price of the training split");
        // The progress lines show the loss in the targets' units (squared: tens of millions), not standardized.
        List<String> epochs = trained.out().lines().filter(l -> l.startsWith("epoch")).toList();
        double lastLoss = printed(epochs.get(epochs.size() - 1), "loss");
        assertTrue(lastLoss > 1e5, epochs.get(epochs.size() - 1));
        // evaluate reports the same R² on the same kind of data, in price units.
        Path fresh = Cli.write(dir.resolve("fresh.csv"), housesCsv(200, 8));
        Cli.Result e = Cli.run("evaluate", "--model", model.toString(), "--data", fresh.toString()).expect(0);
        assertTrue(printed(e.out(), "r2") > 0.9, e.out());
    }

    @Test
    void trainStoresNamesAndMetadataAndPrintsTheId() throws IOException {
        Model m = ModelReader.load(model);
        assertEquals(List.of("area", "rooms", "age"), m.featureNames());
        assertEquals(List.of("backlane_version", "created", "command"), List.copyOf(m.metadata().keySet()));
        assertEquals("development", m.metadata().get("backlane_version"), "no jar manifest when run from classes");
        Instant created = Instant.parse(m.metadata().get("created"));
        assertTrue(m.metadata().get("created").endsWith("Z"), "UTC");
        assertEquals(created, Instant.parse(created.toString()));
        assertEquals("train --data " + houses + " --label price --save " + model, m.metadata().get("command"));
        assertTrue(trained.out().contains("saved     " + model + " (" + Files.size(model) + " bytes, id " + m.id() + ")"),
                trained.out());
    }

    @Test
    void theCommandIsQuotedWhereAShellWouldNeedIt() {
        assertEquals("train --data 'my houses.csv' --label 'it'\\''s' ''",
                TrainCommand.commandLine(List.of("train", "--data", "my houses.csv", "--label", "it's", "")));
    }

    @Test
    void bundledAndCsvDatasetsGiveTheirNames() throws IOException {
        Path cancer = dir.resolve("cancer.bkln");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "1", "--save", cancer.toString()).expect(0);
        Model m = ModelReader.load(cancer);
        assertTrue(FeatureColumns.hasNames(m), m.featureNames().toString());
        assertEquals(io.backlane.data.BundledDatasets.load("breast-cancer").featureNames(), m.featureNames());
    }

    /** The CSV with its columns in another order (label dropped when {@code withLabel} is false). */
    static String reordered(String csv, int[] columns) {
        StringBuilder s = new StringBuilder();
        for (String line : csv.split("\n")) {
            String[] cells = line.split(",");
            List<String> out = new ArrayList<>();
            for (int c : columns) {
                out.add(cells[c]);
            }
            s.append(String.join(",", out)).append('\n');
        }
        return s.toString();
    }

    @Test
    void predictMatchesColumnsByName() throws IOException {
        String csv = housesCsv(20, 9);
        Path inOrder = Cli.write(dir.resolve("p-in-order.csv"), reordered(csv, new int[]{0, 1, 2}));
        Path shuffled = Cli.write(dir.resolve("p-shuffled.csv"), reordered(csv, new int[]{2, 0, 1}));
        Path withLabel = Cli.write(dir.resolve("p-label.csv"), reordered(csv, new int[]{3, 1, 2, 0}));
        String expected = Cli.run("predict", "--model", model.toString(), inOrder.toString()).expect(0).out();
        assertTrue(expected.startsWith("predicted\n"), "predict's CSV is unchanged: " + expected);
        Cli.Result r = Cli.run("predict", "--model", model.toString(), shuffled.toString()).expect(0);
        assertEquals(expected, r.out());
        assertEquals("", r.err());
        assertEquals(expected, Cli.run("predict", "--model", model.toString(), "--label", "price",
                withLabel.toString()).expect(0).out());
        // Prices in the targets' units.
        double first = Double.parseDouble(Cli.parseCsv(expected).get(1)[0]);
        assertTrue(first > 5e4 && first < 5e5, expected);
    }

    @Test
    void missingAndUnknownColumnsAreErrorsNamingThem() throws IOException {
        String csv = housesCsv(5, 10);
        Path missing = Cli.write(dir.resolve("missing.csv"), reordered(csv, new int[]{0, 2}));
        Cli.Result r = Cli.run("predict", "--model", model.toString(), missing.toString()).expect(1).noStackTrace();
        assertTrue(r.err().startsWith("error: " + missing + ": the columns do not match the model's features"), r.err());
        assertTrue(r.err().contains("missing [\"rooms\"]"), r.err());
        assertEquals("", r.out(), "nothing is predicted");
        Path unknown = Cli.write(dir.resolve("unknown.csv"), csv.replaceFirst("age", "year"));
        r = Cli.run("predict", "--model", model.toString(), "--label", "price", unknown.toString()).expect(1);
        assertTrue(r.err().contains("missing [\"age\"]; unknown [\"year\"]"), r.err());
        // Without --label, the label column is an unknown column: the hint says what to do.
        Path labelled = Cli.write(dir.resolve("labelled.csv"), csv);
        r = Cli.run("predict", "--model", model.toString(), labelled.toString()).expect(1);
        assertTrue(r.err().contains("unknown [\"price\"]") && r.err().contains("name it with --label"), r.err());
        r = Cli.run("evaluate", "--model", model.toString(), "--data", unknown.toString()).expect(1).noStackTrace();
        assertTrue(r.err().contains("missing [\"age\"]; unknown [\"year\"]"), r.err());
    }

    @Test
    void byPositionTakesFileOrderAndWarnsWhenTheNamesDiffer() throws IOException {
        String csv = housesCsv(10, 11);
        Path shuffled = Cli.write(dir.resolve("bp-shuffled.csv"), reordered(csv, new int[]{2, 0, 1}));
        Path inOrder = Cli.write(dir.resolve("bp-in-order.csv"), reordered(csv, new int[]{0, 1, 2}));
        String byName = Cli.run("predict", "--model", model.toString(), shuffled.toString()).expect(0).out();
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--by-position", shuffled.toString()).expect(0);
        assertNotEquals(byName, r.out(), "age, area, rooms taken as area, rooms, age");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("warning: --by-position: the columns of " + shuffled + " [age, area, rooms] are"
                + " not the model's features [area, rooms, age]"), r.err());
        r = Cli.run("predict", "--model", model.toString(), "--by-position", inOrder.toString()).expect(0);
        assertEquals(byName, r.out());
        assertEquals("", r.err(), "same names: no warning");
        // --no-header: by position, no names to compare.
        String noHeader = reordered(csv, new int[]{0, 1, 2});
        noHeader = noHeader.substring(noHeader.indexOf('\n') + 1);
        r = Cli.run("predict", "--model", model.toString(), "--no-header",
                Cli.write(dir.resolve("bp-no-header.csv"), noHeader).toString()).expect(0);
        assertEquals(byName, r.out());
        assertEquals("", r.err());
    }

    @Test
    void evaluateMatchesColumnsByName() throws IOException {
        String csv = housesCsv(100, 12);
        Path inOrder = Cli.write(dir.resolve("e-in-order.csv"), csv);
        Path shuffled = Cli.write(dir.resolve("e-shuffled.csv"), reordered(csv, new int[]{3, 2, 0, 1}));
        String a = Cli.run("evaluate", "--model", model.toString(), "--data", inOrder.toString()).expect(0).out();
        String b = Cli.run("evaluate", "--model", model.toString(), "--data", shuffled.toString(), "--label", "price")
                .expect(0).out();
        assertEquals(printed(a, "r2"), printed(b, "r2"));
        assertEquals(printed(a, "mse"), printed(b, "mse"));
        Cli.Result c = Cli.run("evaluate", "--model", model.toString(), "--data", shuffled.toString(), "--label", "price",
                "--by-position").expect(0);
        assertTrue(c.err().startsWith("warning: --by-position"), c.err());
        assertNotEquals(printed(a, "mse"), printed(c.out(), "mse"));
    }

    @Test
    void version1ModelsHaveNoNamesAndTakeColumnsByPositionSilently() throws IOException {
        Path v1 = dir.resolve("golden-v1.bkln");
        try (InputStream in = getClass().getResourceAsStream("/io/backlane/io/golden-v1.bkln")) {
            Files.copy(in, v1);
        }
        assertFalse(FeatureColumns.hasNames(ModelReader.load(v1)));
        Path iris = Cli.write(dir.resolve("iris.csv"), "sepal_length,sepal_width,petal_length,petal_width\n"
                + "5.1,3.5,1.4,0.2\n7.0,3.2,4.7,1.4\n");
        Cli.Result r = Cli.run("predict", "--model", v1.toString(), iris.toString()).expect(0);
        assertEquals("", r.err());
        assertEquals(3, Cli.parseCsv(r.out()).size());
        assertTrue(r.out().startsWith("predicted,p_setosa,p_versicolor,p_virginica\nsetosa,0.675521"), r.out());
    }
}
