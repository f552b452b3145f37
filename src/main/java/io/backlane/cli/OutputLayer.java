package io.backlane.cli;

import io.backlane.data.Preprocessing;
import io.backlane.kernel.Activation;
import io.backlane.nn.Layer;
import io.backlane.nn.Loss;
import io.backlane.nn.Network;

import java.util.List;

/**
 * The output layer and loss that go with a task: two classes → one sigmoid unit with binary
 * cross-entropy; K &gt; 2 classes → K softmax units with categorical cross-entropy; regression → one
 * identity unit with mean squared error. A loss given on the command line overrides the default and
 * brings its own output activation (sigmoid for binary cross-entropy, softmax for categorical
 * cross-entropy, sigmoid on class targets or identity on real targets for squared error).
 *
 * @param width      n[L]
 * @param activation g[L]
 * @param loss       the loss
 */
record OutputLayer(int width, Activation activation, Loss loss) {

    /** For {@code classes} classes; {@code loss} may be null for the default. */
    static OutputLayer forClasses(int classes, Loss loss) {
        if (classes < 2) {
            throw new IllegalArgumentException("classification needs at least 2 classes, the data has " + classes
                    + "; check the label column (--label)");
        }
        Loss l = loss != null ? loss : classes == 2 ? Loss.BINARY_CROSS_ENTROPY : Loss.CATEGORICAL_CROSS_ENTROPY;
        return switch (l) {
            case BINARY_CROSS_ENTROPY -> new OutputLayer(classes == 2 ? 1 : classes, Activation.SIGMOID, l);
            case CATEGORICAL_CROSS_ENTROPY -> new OutputLayer(classes, Activation.SOFTMAX, l);
            case MEAN_SQUARED_ERROR -> new OutputLayer(classes == 2 ? 1 : classes, Activation.SIGMOID, l);
        };
    }

    /** For one real-valued target; only squared error applies. */
    static OutputLayer forRegression(Loss loss) {
        if (loss != null && loss != Loss.MEAN_SQUARED_ERROR) {
            throw new IllegalArgumentException("--loss " + Specs.name(loss) + " needs class labels, but the target is"
                    + " real-valued (regression); use --loss mean_squared_error, or --task classification");
        }
        return new OutputLayer(1, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR);
    }

    /**
     * For a bare network description of {@code outputs} units: by default one output is a sigmoid
     * with binary cross-entropy and several a softmax with categorical cross-entropy; squared error
     * gets identity outputs.
     */
    static OutputLayer forOutputs(int outputs, Loss loss) {
        if (outputs < 1) {
            throw new IllegalArgumentException("--outputs must be >= 1, got " + outputs);
        }
        Loss l = loss != null ? loss : outputs == 1 ? Loss.BINARY_CROSS_ENTROPY : Loss.CATEGORICAL_CROSS_ENTROPY;
        return switch (l) {
            case BINARY_CROSS_ENTROPY -> new OutputLayer(outputs, Activation.SIGMOID, l);
            case CATEGORICAL_CROSS_ENTROPY -> new OutputLayer(outputs, Activation.SOFTMAX, l);
            case MEAN_SQUARED_ERROR -> new OutputLayer(outputs, Activation.IDENTITY, l);
        };
    }

    /** The network {@code inputs} → hidden layers → this output layer. */
    Network network(int inputs, List<Layer> hidden) {
        Network.Builder b = Network.builder(inputs);
        hidden.forEach(b::dense);
        return b.dense(width, activation).loss(loss).build();
    }

    /**
     * Class targets as the network's target rows: the class index itself (0 or 1) for a single
     * output, one-hot rows otherwise.
     */
    static float[] classTargets(int[] classIndices, int classes, int outputWidth) {
        if (outputWidth == 1) {
            float[] y = new float[classIndices.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = classIndices[i];
            }
            return y;
        }
        return Preprocessing.oneHot(classIndices, classes);
    }
}
