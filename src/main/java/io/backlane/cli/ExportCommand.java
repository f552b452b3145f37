package io.backlane.cli;

import io.backlane.io.OnnxWriter;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code backlane export}: a saved model as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Writes a saved model as ONNX, for ONNX Runtime and other ONNX tools: the feature scaler as Sub and"
                + " Mul nodes, one Gemm per layer and its activation, a regression model's target scaler as Div and"
                + " Add, input 'input' and output 'output' with a dynamic batch; feature names, class labels and the"
                + " model id in the metadata. Reading the file back (import) gives the same model."},
        footer = {"", "Examples:",
                "  backlane export --model cancer.bkln --output cancer.onnx",
                "  backlane export --model cancer.bkln --output cancer-opset13.onnx --opset 13"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Mixin
    ModelOption model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The ONNX file to write.")
    Path output;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxWriter.DEFAULT_OPSET,
            description = "The ONNX opset, " + OnnxWriter.MIN_OPSET + " to " + OnnxWriter.MAX_OPSET + ".")
    int opset;


    @Override
    public Integer call() throws IOException {
        if (opset < OnnxWriter.MIN_OPSET || opset > OnnxWriter.MAX_OPSET) {
            throw new UsageException("--opset must be from " + OnnxWriter.MIN_OPSET + " to " + OnnxWriter.MAX_OPSET
                    + ", got " + opset);
        }
        Model m = model.load();
        PathOptionException.on("--output", output, () -> {
            OnnxWriter.save(m, output, opset);
            return null;
        });
        PrintWriter out = main.spec.commandLine().getOut();
        out.println("exported  " + output + " (" + Files.size(output) + " bytes, ONNX opset " + opset + ", model "
                + m.id() + ")");
        return 0;
    }
}
