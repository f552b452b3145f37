package io.backlane.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train} end to end, in process. */
class TrainCommandTest {

    @Test
    void digitsBriefly() {
        Cli.Result r = Cli.run("train", "--data", "digits", "--epochs", "3", "--layers", "32:relu").expect(0);
        assertTrue(r.out().contains("network   64-32(relu)-10(softmax) categorical_cross_entropy"), r.out());
        assertEquals(3, count(r.out(), "(?m)^epoch "), r.out());
        assertTrue(r.out().contains("macro_f1"), r.out());
        // a 10 x 10 confusion matrix with the digit labels as header
        assertTrue(r.out().matches("(?s).*\\n\\s+0\\s+1\\s+2\\s+3\\s+4\\s+5\\s+6\\s+7\\s+8\\s+9\\n.*"), r.out());
        assertTrue(r.accuracy() > 0.85, r.out());
    }

    @Test
    void progressLinesHaveEveryField() {
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--epochs", "4").expect(0);
        Pattern line = Pattern.compile("(?m)^epoch (\\d)/4  loss [0-9.]+  acc +[0-9.]+%  val_loss [0-9.]+  val_acc +[0-9.]+%"
                + "  [0-9.]+[kM]? samples/s  elapsed [0-9.]+s  eta [0-9.]+s$");
        Matcher m = line.matcher(r.out());
        int n = 0;
        while (m.find()) {
            assertEquals(++n, Integer.parseInt(m.group(1)));
        }
        assertEquals(4, n, r.out());
        assertTrue(r.out().contains("split     399 train, 57 validation, 113 test (stratified, seed 42)"), r.out());
    }

    @Test
    void threadsShareTheSteps() {
        Cli.Result r = Cli.run("train", "--data", "digits", "--threads", "2", "--batch-size", "256", "--epochs", "3",
                "--lr", "0.01").expect(0);
        assertTrue(r.out().contains(", 2 threads"), r.out());
        assertTrue(r.accuracy() > 0.7, r.out());
    }

    @Test
    void withoutValidationAndWithEarlyStoppingAndASchedule() {
        Cli.Result r = Cli.run("train", "--data", "breast-cancer", "--validation-fraction", "0", "--epochs", "200",
                "--patience", "3", "--min-delta", "0.01", "--optimizer", "nesterov", "--schedule", "cosine:0.1",
                "--log-every", "1000").expect(0);
        assertTrue(r.out().contains("0 validation"), r.out());
        assertTrue(r.out().contains("nesterov(lr=0.01, mu=0.9)"), r.out());
        assertTrue(r.out().contains("early stopping kept the weights of epoch"), r.out());
        assertTrue(r.accuracy() >= 0.9, r.out());
    }

    @Test
    void plotWritesAWellFormedSvgWithOneCurvePerSeries(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("curves.svg");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "5", "--plot", svg.toString()).expect(0);
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        DocumentBuilder b = f.newDocumentBuilder();
        Document doc = b.parse(svg.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        NodeList curves = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        List<String> titles = new ArrayList<>();
        for (int i = 0; i < curves.getLength(); i++) {
            Element c = (Element) curves.item(i);
            String[] points = c.getAttribute("points").trim().split("\\s+");
            assertEquals(5, points.length, "one point per epoch");
            for (String p : points) {
                String[] xy = p.split(",");
                assertTrue(Double.parseDouble(xy[0]) >= 0 && Double.parseDouble(xy[1]) >= 0, p);
            }
            titles.add(c.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").item(0).getTextContent());
        }
        assertEquals(List.of("training loss", "validation loss", "training accuracy", "validation accuracy"), titles);
        String text = root.getTextContent();
        for (String s : List.of("loss", "accuracy", "epoch", "training loss", "validation accuracy")) {
            assertTrue(text.contains(s), s);
        }
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "line").getLength() > 20, "axes and ticks");
    }

    @Test
    void regressionFromCsvIsDetectedAndReported(@TempDir Path dir) throws IOException {
        // y = 2 x1 - x2 + 0.5 + small noise: a regression target with many distinct fractional values
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder s = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 300; i++) {
            double x1 = r.nextDouble() * 2 - 1;
            double x2 = r.nextDouble() * 2 - 1;
            s.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f%n", x1, x2, 2 * x1 - x2 + 0.5 + 0.01 * r.nextGaussian()));
        }
        Path csv = Cli.write(dir.resolve("lin.csv"), s.toString());
        Path model = dir.resolve("lin.bkln");
        Cli.Result t = Cli.run("train", "--data", csv.toString(), "--layers", "none", "--l2", "0", "--epochs", "60",
                "--lr", "0.03", "--save", model.toString()).expect(0);
        assertTrue(t.out().contains("regression target \"y\""), t.out());
        assertTrue(t.out().contains("1(identity) mean_squared_error"), t.out());
        Matcher m = Pattern.compile("r2\\s+([-0-9.]+)").matcher(t.out());
        assertTrue(m.find(), t.out());
        assertTrue(Double.parseDouble(m.group(1)) > 0.95, t.out());
        assertTrue(!t.out().contains("acc "), "no accuracy for regression:\n" + t.out());

        Cli.Result e = Cli.run("evaluate", "--model", model.toString(), "--data", csv.toString()).expect(0);
        assertTrue(e.out().contains("rmse"), e.out());
        Cli.Result p = Cli.runWithInput("x1,x2\n0.5,0.25\n", "predict", "--model", model.toString()).expect(0);
        List<String[]> rows = Cli.parseCsv(p.out());
        assertEquals("predicted", rows.get(0)[0]);
        assertEquals(1.25, Double.parseDouble(rows.get(1)[0]), 0.1);   // 2(0.5) - 0.25 + 0.5
    }

    @Test
    void idxDirectoryUsesItsOwnTestFiles(@TempDir Path dir) throws IOException {
        // a tiny MNIST-layout set: 2x5 images whose class (0..9) is the brightest pixel
        writeIdx(dir, "train", 300, 1);
        writeIdx(dir, "t10k", 50, 2);
        Path model = dir.resolve("idx.bkln");
        Cli.Result r = Cli.run("train", "--data", dir.toString(), "--epochs", "30", "--layers", "none", "--lr", "0.03",
                "--save", model.toString(), "--log-every", "10").expect(0);
        assertTrue(r.out().contains("350 examples, 10 features, 10 classes (0 35, 1 35, 2 35,"), r.out());
        assertTrue(r.out().contains("test from the IDX test files"), r.out());
        assertTrue(r.out().contains("test: 50 examples"), r.out());
        Cli.Result e = Cli.run("evaluate", "--model", model.toString(), "--data", dir.toString()).expect(0);
        assertTrue(e.out().contains(": 50 examples"), e.out());
        assertTrue(e.accuracy() > 0.8, e.out());
    }

    private static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[count * 10];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = i % 10;
            labels[i] = (byte) c;
            for (int p = 0; p < 10; p++) {
                pixels[i * 10 + p] = (byte) (p == c ? 180 + r.nextInt(76) : r.nextInt(120));
            }
        }
        try (OutputStream o = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte"));
             DataOutputStream d = new DataOutputStream(o)) {
            d.writeInt(0x803);
            d.writeInt(count);
            d.writeInt(2);
            d.writeInt(5);
            d.write(pixels);
        }
        try (OutputStream o = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte"));
             DataOutputStream d = new DataOutputStream(o)) {
            d.writeInt(0x801);
            d.writeInt(count);
            d.write(labels);
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
