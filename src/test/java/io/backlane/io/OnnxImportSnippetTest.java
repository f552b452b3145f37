package io.backlane.io;

import io.backlane.infer.Predictor;
import io.backlane.nn.Model;
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

/** The README's ONNX snippet, line for line, is the body of {@link #snippet}, run on a PyTorch fixture. */
class OnnxImportSnippetTest {
    private static final Path SELF = Path.of("src/test/java/io/backlane/io/OnnxImportSnippetTest.java");

    @Test
    void theReadmeSnippetIsThisTestsCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?s)```java\\n(Model imported = OnnxReader.*?)```").matcher(readme);
        assertTrue(m.find(), "the ONNX java block in the README");
        String self = Files.readString(SELF, StandardCharsets.UTF_8);
        List<String> lines = m.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        assertEquals(4, lines.size(), lines.toString());
        for (String line : lines) {
            assertTrue(self.contains(line), "README line not in OnnxImportSnippetTest.snippet: " + line);
        }
    }

    @Test
    void snippet(@TempDir Path dir) throws Exception {
        Path onnxFile = dir.resolve("iris.onnx");
        Files.write(onnxFile, OnnxPyTorchFixturesTest.resource("normalized_gemm_relu_softmax_opset17.onnx"));
        Path exported = dir.resolve("copy.onnx");

        Model imported = OnnxReader.load(onnxFile, OnnxReader.Options.defaults()          // PyTorch's file
                .withClassLabels(List.of("setosa", "versicolor", "virginica")));           // names its file lacks
        String species = Predictor.of(imported).predictLabel(new float[] {5.1f, 3.5f, 1.4f, 0.2f});
        OnnxWriter.save(imported, exported);                                               // opset 17, for ONNX Runtime

        assertTrue(imported.classLabels().contains(species), species);
        assertEquals(imported, OnnxReader.load(exported));
    }
}
