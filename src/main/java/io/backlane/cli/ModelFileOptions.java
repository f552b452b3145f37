package io.backlane.cli;

import io.backlane.io.ModelReader;
import io.backlane.io.OnnxReader;
import io.backlane.nn.Model;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How every command reads a model file: a backlane model ({@code .bkln}) or an ONNX model, told apart
 * by the first byte where there is one: a backlane file starts with 0x89 (its magic) and is read as
 * one whatever its name; an ONNX file starts with its {@code ir_version} field, byte 0x08, and is read
 * as one whatever its name; any other file is ONNX when its name ends in {@code .onnx}, else read as
 * a backlane model (whose reader then names what is wrong). For ONNX files, which may not name their
 * classes and features, {@code --labels} and {@code --features} give them.
 */
final class ModelFileOptions {
    /** The first byte of an ONNX file: the key of ModelProto field 1 (ir_version), a varint. */
    private static final int ONNX_FIRST_BYTE = 0x08;
    /**
     * The first byte of a backlane file's magic. No ONNX file starts with it: as a protobuf key it
     * would be a 64-bit field numbered 17 or more, and ModelProto has none.
     */
    private static final int BKLN_FIRST_BYTE = 0x89;

    @Option(names = "--labels", split = ",", paramLabel = "LABEL",
            description = "For an ONNX model: its class labels by output index, comma-separated (for one sigmoid"
                    + " output, class 0 then class 1); overrides what the file says. Default: the file's, else 0, 1, ...")
    List<String> labels;

    @Option(names = "--features", split = ",", paramLabel = "NAME",
            description = "For an ONNX model: its feature names in input order, comma-separated; overrides what the"
                    + " file says. Default: the file's, else x0, x1, ...")
    List<String> features;

    /** Loads {@code file}, the value of {@code option}; errors name the option and the file. */
    Model load(String option, Path file) throws IOException {
        return PathOptionException.on(option, file, () -> {
            if (!isOnnx(file)) {
                if (labels != null || features != null) {
                    throw new UsageException("--labels and --features are for ONNX models; " + file
                            + " is a backlane model, which names its own classes and features");
                }
                return ModelReader.load(file);
            }
            OnnxReader.Options options = OnnxReader.Options.defaults();
            if (labels != null) {
                options = options.withClassLabels(labels);
            }
            if (features != null) {
                options = options.withFeatureNames(features);
            }
            try {
                return OnnxReader.load(file, options);
            } catch (IllegalArgumentException e) {   // only the options can be wrong here: a usage error
                throw new UsageException(e.getMessage());
            }
        });
    }

    static boolean isOnnx(Path file) throws IOException {
        Path name = file.getFileName();
        boolean named = name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
        if (!Files.isRegularFile(file)) {
            return named;   // missing, a directory or a device: the reader its name picks reports it
        }
        int first;
        try (InputStream in = Files.newInputStream(file)) {
            first = in.read();
        }
        return first != BKLN_FIRST_BYTE && (named || first == ONNX_FIRST_BYTE);
    }
}
