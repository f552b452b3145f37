package io.backlane.cli;

import io.backlane.io.ModelWriter;
import io.backlane.nn.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code backlane import}: an ONNX model (for example exported by PyTorch) read, described, and saved as a backlane model. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reads an ONNX model whose graph is a chain of dense layers (Gemm, or MatMul and Add) with"
                + " activations, as torch.onnx.export writes for an nn.Sequential of Linear layers, prints what it"
                + " holds, and with --save writes it as a backlane model. Constant input normalization becomes the"
                + " feature scaler. Anything backlane cannot compute exactly is refused, naming the node.",
                "predict, evaluate, graph and serve also take an .onnx file directly."},
        footer = {"", "Examples:",
                "  backlane import mlp.onnx --labels cat,dog,bird --save mlp.bkln",
                "  backlane import cancer.onnx"})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE", description = "The ONNX file.")
    Path input;

    @Option(names = "--save", paramLabel = "FILE", description = "Save the model to FILE (.bkln).")
    Path save;

    @Mixin
    ModelFileOptions modelFile;

    @Override
    public Integer call() throws IOException {
        if (save != null) {
            PathOptionException.on("--save", save, () -> {
                ModelWriter.checkTarget(save);
                return null;
            });
        }
        if (!ModelFileOptions.isOnnx(input)) {
            throw new UsageException(input + " is not an ONNX file (neither named .onnx nor starting as one)");
        }
        Model m = modelFile.load("input file", input);
        PrintWriter out = main.spec.commandLine().getOut();
        out.println("imported  " + input + ": " + m.network() + ", " + m.network().parameterCount() + " parameters");
        out.println("features  " + m.featureNames().size() + ": " + String.join(", ", m.featureNames()));
        out.println(m.isClassifier() ? "classes   " + m.classLabels().size() + ": " + String.join(", ", m.classLabels())
                : "outputs   " + m.network().outputWidth() + " real values (regression)");
        out.println("scaling   input " + describe(m.scaler().isIdentity()) + ", output "
                + describe(m.targetScaler().isIdentity()));
        if (save != null) {
            PathOptionException.on("--save", save, () -> {
                ModelWriter.save(m, save);
                return null;
            });
            out.println("saved     " + save + " (" + Files.size(save) + " bytes, id " + m.id() + ")");
        }
        return 0;
    }

    private static String describe(boolean identity) {
        return identity ? "none" : "folded into the model's scaler";
    }
}
