package io.backlane.cli;

import io.backlane.data.BundledDatasets;
import io.backlane.data.Dataset;
import io.backlane.data.Preprocessing;
import io.backlane.data.ScaledSplit;
import io.backlane.infer.Predictor;
import io.backlane.io.ModelReader;
import io.backlane.io.ModelWriter;
import io.backlane.nn.Activation;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import io.backlane.train.Examples;
import io.backlane.train.Optimizer;
import io.backlane.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the README promises: its main command, and its library snippet (the same code, compiled and run here). */
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final Path POM = Path.of("pom.xml");
    private static final Path SELF = Path.of("src/test/java/io/backlane/cli/ReadmeTest.java");

    /** {@code mvn -q compile exec:exec} runs the pom's {@code args}: the same arguments, in process. */
    @Test
    void theMainCommandReachesNinetyFivePercent() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        assertTrue(readme.contains("```sh\nmvn -q compile exec:exec\nmvn verify\n```"), "the two set-up commands");
        Matcher m = Pattern.compile("<args>([^<]*)</args>").matcher(Files.readString(POM, StandardCharsets.UTF_8));
        assertTrue(m.find(), "pom.xml property args");
        String args = m.group(1).strip();
        assertEquals("train --data breast-cancer", args);
        assertTrue(readme.contains("`" + args + "`"), "the README names the default arguments");

        Cli.Result r = Cli.run(args.split("\\s+")).expect(0).noStackTrace();
        assertTrue(r.accuracy() >= 0.95, r.out());
        assertEquals(50, r.out().lines().filter(l -> l.startsWith("epoch ")).count(), r.out());
        for (String line : List.of("data      breast-cancer: 569 examples, 30 features, 2 classes (benign 357, malignant 212)",
                "split     399 train, 57 validation, 113 test (stratified, seed 42)",
                "network   30-16(relu)-1(sigmoid) binary_cross_entropy, 513 parameters",
                "test: 113 examples", "  confusion matrix (rows: actual, columns: predicted):")) {
            assertTrue(r.out().contains(line), line);
            assertTrue(readme.contains(line), "README excerpt: " + line);
        }
    }

    /** The README's Java snippet, line for line, is the body of {@link #librarySnippet}. */
    @Test
    void theLibrarySnippetIsThisTestsCode() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?s)```java\\n(.*?)```").matcher(readme);
        assertTrue(m.find(), "a java block in the README");
        String self = Files.readString(SELF, StandardCharsets.UTF_8);
        List<String> lines = m.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertTrue(lines.size() >= 8 && lines.size() <= 10, "train, save, load and predict in at most 10 lines: " + lines.size());
        for (String line : lines) {
            assertTrue(self.contains(line), "README line not in ReadmeTest.librarySnippet: " + line);
        }
    }

    /** The README's second Java snippet, online learning, is code of {@code OnlineLearningTest}, line for line. */
    @Test
    void theOnlineLearningSnippetIsTested() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?s)```java\\n(.*?)```").matcher(readme);
        assertTrue(m.find() && m.find(), "a second java block in the README");
        String test = Files.readString(Path.of("src/test/java/io/backlane/infer/OnlineLearningTest.java"), StandardCharsets.UTF_8);
        List<String> lines = m.group(1).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.equals("}")).toList();
        assertTrue(lines.size() >= 8, "the pattern: load, serve, predict, train, publish");
        for (String line : lines) {
            assertTrue(test.contains(line), "README line not in OnlineLearningTest: " + line);
        }
    }

    @Test
    void librarySnippet(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cancer.bkln");
        Dataset data = BundledDatasets.load("breast-cancer");                              // 569 x 30, 2 classes
        ScaledSplit split = Preprocessing.split(data, 0.1, 0.2, 42L).scaled(FeatureScaler.Kind.STANDARDIZE);
        Network net = Network.builder(data.width()).dense(16, Activation.RELU).output(OutputHead.forClasses(2)).build();
        Parameters params = Parameters.initialize(net, 42L);                                // He/Xavier weights, seed 42
        try (Trainer trainer = Trainer.builder(params).optimizer(Optimizer.adam(0.003f)).epochs(50).build()) {
            trainer.fit(Examples.of(split.train(), net));                                     // targets encoded for the head
        }
        ModelWriter.save(new Model(params, split.scaler(), data.classLabels()), file);      // a snapshot, saved atomically
        Predictor predictor = Predictor.of(ModelReader.load(file));                         // one per serving thread
        String label = predictor.predictLabel(data.features(0));                            // raw features in, label out

        assertEquals(data.classLabels().get(data.classIndex(0)), label);
        Model model = ModelReader.load(file);
        assertEquals(1, model.network().outputWidth(), "one sigmoid unit, as the CLI trains a binary model");
        Dataset rawTest = Preprocessing.split(data, 0.1, 0.2, 42L).test();   // the test rows, unscaled
        int right = 0;
        for (int i = 0; i < rawTest.rows(); i++) {
            right += predictor.predictLabel(rawTest.features(i)).equals(data.classLabels().get(rawTest.classIndex(i))) ? 1 : 0;
        }
        assertEquals(split.test().rows(), rawTest.rows());
        assertTrue(right >= 0.95 * rawTest.rows(), right + " of " + rawTest.rows());
    }
}
