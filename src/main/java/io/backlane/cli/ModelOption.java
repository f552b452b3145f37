package io.backlane.cli;

import io.backlane.nn.Model;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The required {@code --model FILE} of the commands that work on a saved model (evaluate, predict,
 * serve, export), with {@link ModelFileOptions}' {@code --labels} and {@code --features} for ONNX files.
 */
final class ModelOption {
    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model saved by train --save, or an ONNX model (.onnx).")
    Path path;

    @Mixin
    ModelFileOptions file;

    /** Reads the model; errors name {@code --model} and the file. */
    Model load() throws IOException {
        return file.load("--model", path);
    }
}
