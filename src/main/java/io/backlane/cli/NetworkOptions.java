package io.backlane.cli;

import io.backlane.nn.Loss;
import io.backlane.nn.Network;
import io.backlane.nn.OutputHead;
import picocli.CommandLine.Option;

/** A network described on the command line: input width, hidden layers, output units and loss. */
final class NetworkOptions {
    static final String[] NAMES = {"--inputs", "--layers", "--outputs", "--loss"};

    @Option(names = "--inputs", paramLabel = "N", defaultValue = "4", description = "Input features n[0].")
    int inputs;

    @Option(names = "--layers", paramLabel = "SPEC", defaultValue = "8:tanh,6:relu", converter = Specs.LayersConverter.class,
            description = "Hidden layers, WIDTH:ACTIVATION separated by commas (e.g. 32:relu,16:tanh), or none."
                    + " Activations: relu, leaky_relu[:SLOPE], tanh, sigmoid, identity.")
    Specs.Layers layers;

    @Option(names = "--outputs", paramLabel = "K", defaultValue = "3",
            description = "Output units. Without --loss: 1 -> sigmoid with binary cross-entropy,"
                    + " K > 1 -> softmax with categorical cross-entropy.")
    int outputs;

    @Option(names = "--loss", paramLabel = "LOSS", converter = Specs.LossConverter.class,
            description = "binary_cross_entropy (bce: sigmoid outputs), categorical_cross_entropy (cce: softmax),"
                    + " mean_squared_error (mse: identity outputs).")
    Loss loss;

    /** The network; a description the library refuses is a usage error. */
    Network network() {
        if (inputs < 1) {
            throw new UsageException("--inputs must be >= 1, got " + inputs);
        }
        if (outputs < 1) {
            throw new UsageException("--outputs must be >= 1, got " + outputs);
        }
        return UsageException.wrap(() -> layers.network(inputs, OutputHead.forOutputs(outputs, loss)));
    }
}
