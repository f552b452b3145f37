package io.backlane.cli;

import io.backlane.data.BundledDatasets;
import io.backlane.io.ModelReader;
import io.backlane.io.OnnxReader;
import io.backlane.nn.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code export} and {@code import}, and {@code predict}, {@code evaluate} and {@code graph} on ONNX files. */
class OnnxCommandsTest {
    @TempDir
    static Path dir;
    static Path bkln;
    static Path onnx;
    static Path rows;

    @BeforeAll
    static void trainAndExport() throws IOException {
        bkln = dir.resolve("cancer.bkln");
        onnx = dir.resolve("cancer.onnx");
        Cli.run("train", "--data", "breast-cancer", "--epochs", "5", "--save", bkln.toString()).expect(0);
        Cli.Result r = Cli.run("export", "--model", bkln.toString(), "--output", onnx.toString()).expect(0);
        assertTrue(r.out().startsWith("exported  " + onnx + " (") && r.out().contains("ONNX opset 17, model "
                + ModelReader.load(bkln).id()), r.out());
        rows = Cli.write(dir.resolve("rows.csv"), Cli.csv(BundledDatasets.load("breast-cancer").subset(range(0, 25)), true));
    }

    static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    static Path fixture(String name, String fileName) throws IOException {
        try (InputStream in = OnnxCommandsTest.class.getResourceAsStream("/io/backlane/io/onnx/" + name + ".onnx")) {
            assertNotNull(in, name);
            Path file = dir.resolve(fileName);
            Files.write(file, in.readAllBytes());
            return file;
        }
    }

    @Test
    void importGivesBackTheTrainedModel() throws IOException {
        Path back = dir.resolve("back.bkln");
        Cli.Result r = Cli.run("import", onnx.toString(), "--save", back.toString()).expect(0);
        Model original = ModelReader.load(bkln);
        assertEquals(original, ModelReader.load(back), "parameters, scaler, labels, names and metadata");
        assertTrue(r.out().contains("imported  " + onnx + ": 30-16(relu)-1(sigmoid) binary_cross_entropy"), r.out());
        assertTrue(r.out().contains("classes   2: benign, malignant"), r.out());
        assertTrue(r.out().contains("scaling   input folded into the model's scaler, output none"), r.out());
        assertTrue(r.out().contains("saved     " + back + " (") && r.out().contains("id " + original.id()), r.out());
    }

    @Test
    void predictEvaluateAndGraphTakeTheOnnxFileAsTheyTakeTheModel() {
        String fromBkln = Cli.run("predict", "--model", bkln.toString(), "--label", "diagnosis", rows.toString())
                .expect(0).out();
        assertEquals(fromBkln, Cli.run("predict", "--model", onnx.toString(), "--label", "diagnosis", rows.toString())
                .expect(0).out());
        String evaluated = Cli.run("evaluate", "--model", bkln.toString(), "--data", "breast-cancer").expect(0).out();
        assertEquals(evaluated.replace(bkln.toString(), onnx.toString()),
                Cli.run("evaluate", "--model", onnx.toString(), "--data", "breast-cancer").expect(0).out());
        assertEquals(Cli.run("graph", "--model", bkln.toString()).expect(0).out(),
                Cli.run("graph", "--model", onnx.toString()).expect(0).out());
    }

    @Test
    void anOnnxFileIsRecognizedByItsFirstByteWhateverItsName() throws IOException {
        Path renamed = dir.resolve("cancer.model");
        Files.copy(onnx, renamed);
        Cli.run("predict", "--model", renamed.toString(), "--label", "diagnosis", rows.toString()).expect(0);
    }

    @Test
    void aPyTorchModelTakesItsLabelsAndFeaturesFromTheOptions() throws IOException {
        Path file = fixture("normalized_gemm_relu_softmax_opset17", "iris.onnx");
        Path csv = Cli.write(dir.resolve("iris.csv"), "petal width,sepal length,sepal width,petal length\n"
                + "0.2,5.1,3.5,1.4\n2.3,6.7,3.0,5.2\n");
        Cli.Result r = Cli.run("predict", "--model", file.toString(), "--labels", "setosa,versicolor,virginica",
                "--features", "sepal length,sepal width,petal length,petal width", csv.toString()).expect(0);
        assertTrue(r.out().startsWith("predicted,p_setosa,p_versicolor,p_virginica\n"), r.out());
        assertEquals(3, r.out().split("\n").length, r.out());
        Cli.Result defaults = Cli.run("predict", "--model", file.toString(), "--by-position", csv.toString()).expect(0);
        assertTrue(defaults.out().startsWith("predicted,p_0,p_1,p_2\n"), defaults.out());
        Path saved = dir.resolve("iris.bkln");
        Cli.run("import", file.toString(), "--labels", "setosa,versicolor,virginica", "--save", saved.toString()).expect(0);
        assertEquals(List.of("setosa", "versicolor", "virginica"), ModelReader.load(saved).classLabels());
        assertEquals(OnnxReader.load(file).parameters(), ModelReader.load(saved).parameters());
    }

    @Test
    void mistakesAreUsageErrorsAndBadFilesDataErrors() throws IOException {
        Cli.Result bklnLabels = Cli.run("predict", "--model", bkln.toString(), "--labels", "a,b", rows.toString())
                .expect(2).noStackTrace();
        assertTrue(bklnLabels.err().contains("--labels and --features are for ONNX models"), bklnLabels.err());
        Cli.Result wrongCount = Cli.run("import", onnx.toString(), "--labels", "a,b,c").expect(2).noStackTrace();
        assertTrue(wrongCount.err().contains("3 class labels"), wrongCount.err());
        Cli.Result opset = Cli.run("export", "--model", bkln.toString(), "--output", dir.resolve("x.onnx").toString(),
                "--opset", "30").expect(2).noStackTrace();
        assertTrue(opset.err().contains("--opset must be from 9 to 21"), opset.err());
        Cli.Result notOnnx = Cli.run("import", bkln.toString()).expect(2).noStackTrace();
        assertTrue(notOnnx.err().contains("is not an ONNX file"), notOnnx.err());

        byte[] bytes = Files.readAllBytes(onnx);
        Path cut = Cli.write(dir.resolve("cut.onnx"), "");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Cli.Result truncated = Cli.run("predict", "--model", cut.toString(), rows.toString()).expect(1).noStackTrace();
        assertTrue(truncated.err().startsWith("error: " + cut + ": model: graph declares"), truncated.err());
        assertTrue(truncated.err().contains("cut short or damaged"), truncated.err());
        assertTrue(truncated.err().contains("at byte offset"), truncated.err());
        Cli.Result missing = Cli.run("evaluate", "--model", dir.resolve("absent.onnx").toString(), "--data",
                "breast-cancer").expect(1).noStackTrace();
        assertTrue(missing.err().contains("absent.onnx"), missing.err());
    }
}
