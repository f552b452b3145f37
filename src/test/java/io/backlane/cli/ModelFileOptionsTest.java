package io.backlane.cli;

import io.backlane.io.ModelWriter;
import io.backlane.io.OnnxWriter;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Model;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import io.backlane.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a model file's kind is told: the first byte decides where it can, the name otherwise. */
class ModelFileOptionsTest {
    @TempDir
    Path dir;

    private static Model model() {
        Network net = Network.builder(2).output(OutputHead.forRegression()).build();
        return new Model(Parameters.initialize(net, 1L), FeatureScaler.identity(2), List.of());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void theFirstByteDecidesWhateverTheName() throws IOException {
        byte[] bkln = ModelWriter.toBytes(model());
        byte[] onnx = OnnxWriter.toBytes(model());
        assertFalse(ModelFileOptions.isOnnx(write("really-backlane.onnx", bkln)), "the .bkln magic wins over the name");
        assertFalse(ModelFileOptions.isOnnx(write("m.bkln", bkln)));
        assertTrue(ModelFileOptions.isOnnx(write("m.onnx", onnx)));
        assertTrue(ModelFileOptions.isOnnx(write("m.model", onnx)), "ir_version's key, 0x08, whatever the name");
    }

    @Test
    void otherwiseTheNameDecides() throws IOException {
        assertTrue(ModelFileOptions.isOnnx(write("odd.onnx", new byte[]{0x12, 0x00})));
        assertTrue(ModelFileOptions.isOnnx(write("empty.onnx", new byte[0])));
        assertFalse(ModelFileOptions.isOnnx(write("odd.bin", new byte[]{0x12, 0x00})));
        assertTrue(ModelFileOptions.isOnnx(dir.resolve("absent.onnx")), "its reader reports it missing");
        assertFalse(ModelFileOptions.isOnnx(dir.resolve("absent.bkln")));
    }
}
