package io.backlane.cli;

import io.backlane.nn.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code backlane graph}: a network's computation graph as Graphviz DOT. */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Writes a network's computation graph as Graphviz DOT: forward boxes z[l] = W[l] a[l-1] + b[l]"
                + " and a[l] = g(z[l]) left to right, ending in the loss L(a[L], y); the backward pass (da, dz, dW, db)"
                + " in red. Render it with: dot -Tsvg graph.dot -o graph.svg"},
        footer = {"", "Examples:",
                "  backlane graph --inputs 30 --layers 16:relu --outputs 1 --output net.dot",
                "  backlane graph --model cancer.bkln | dot -Tpng -o cancer.png"})
final class GraphCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Mixin
    NetworkOptions network;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Draw a saved model's (or an ONNX model's) network instead of --inputs, --layers, ...")
    Path model;

    @Mixin
    ModelFileOptions modelFile;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        Network net;
        if (model != null) {
            String given = Arrays.stream(NetworkOptions.NAMES)
                    .filter(spec.commandLine().getParseResult()::hasMatchedOption)
                    .findFirst().orElse(null);
            if (given != null) {
                throw new UsageException("--model and " + given + " do not go together: the model file describes the network");
            }
            net = modelFile.load("--model", model).network();
        } else {
            net = network.network();
        }
        String dot = DotGraph.dot(net);
        if (output != null) {
            PathOptionException.on("--output", output, () -> Files.writeString(output, dot, StandardCharsets.UTF_8));
        } else {
            main.spec.commandLine().getOut().print(dot);
        }
        return 0;
    }
}
