package io.backlane.train;

import io.backlane.data.Dataset;
import io.backlane.nn.Network;

/**
 * Training or validation examples as two row-major arrays: inputs x (count × n[0]) and targets y
 * (count × n[L]): one-hot rows for a softmax output, 0/1 values for sigmoid outputs, real values for
 * regression. The arrays are used as they are, not copied; {@link #of} builds them from a dataset.
 *
 * @param x     count × inputWidth inputs
 * @param y     count × outputWidth targets
 * @param count the number of examples
 */
public record Examples(float[] x, float[] y, int count) {
    public Examples {
        if (x == null || y == null) {
            throw new IllegalArgumentException("x and y must not be null");
        }
        if (count < 1) {
            throw new IllegalArgumentException("need at least one example, got " + count);
        }
        if (x.length % count != 0 || y.length % count != 0) {
            throw new IllegalArgumentException("x (" + x.length + " floats) and y (" + y.length
                    + " floats) must each hold a whole number of rows for " + count + " examples");
        }
    }

    /**
     * The examples of {@code data} (features as they are: scale them first if the model should) with
     * targets encoded for {@code network}'s output layer, as {@link io.backlane.nn.OutputHead} pairs
     * them:
     *
     * <ul>
     *   <li>one output unit on class data: the class index, 0 or 1 (two classes, sigmoid);</li>
     *   <li>one unit per class: one-hot rows (softmax, or independent sigmoids);</li>
     *   <li>regression data and one output: the target value.</li>
     * </ul>
     *
     * <pre>{@code
     * Examples train = Examples.of(split.train(), net);
     * }</pre>
     *
     * @throws IllegalArgumentException when the data has no targets, or its width, class count or
     *                                  target kind does not fit the network
     */
    public static Examples of(Dataset data, Network network) {
        if (data == null || network == null) {
            throw new IllegalArgumentException("data and network must not be null");
        }
        if (data.width() != network.inputWidth()) {
            throw new IllegalArgumentException(data.source() + " has " + data.width() + " features but the network expects "
                    + network.inputWidth());
        }
        if (data.rows() == 0) {
            throw new IllegalArgumentException(data.source() + " has no rows");
        }
        int outputs = network.outputWidth();
        float[] y;
        if (data.isClassification()) {
            int classes = data.classCount();
            if (outputs == 1 && classes <= 2) {
                int[] indices = data.classIndices();
                y = new float[indices.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = indices[i];
                }
            } else if (outputs == classes) {
                if ((long) data.rows() * classes > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(data.source() + ": the one-hot targets of " + data.rows()
                            + " rows of " + classes + " classes are more floats than an array holds");
                }
                y = new float[data.rows() * classes];
                data.oneHotTargets(y);
            } else {
                throw new IllegalArgumentException(data.source() + " has " + classes + " classes but the network has "
                        + outputs + " outputs; use " + (classes == 2 ? "1 (sigmoid) or 2" : String.valueOf(classes))
                        + " (OutputHead.forClasses(" + classes + "))");
            }
        } else if (data.isRegression()) {
            if (outputs != 1) {
                throw new IllegalArgumentException(data.source() + " has one regression target but the network has "
                        + outputs + " outputs (OutputHead.forRegression())");
            }
            y = data.targets();
        } else {
            throw new IllegalArgumentException(data.source() + " has no targets to train on");
        }
        return new Examples(data.features(), y, data.rows());
    }

    /** Width of one input row. */
    public int inputWidth() {
        return x.length / count;
    }

    /** Width of one target row. */
    public int targetWidth() {
        return y.length / count;
    }

    /** Throws unless the widths match {@code network}'s input and output. */
    void requireFits(Network network, String name) {
        if (inputWidth() != network.inputWidth()) {
            throw new IllegalArgumentException(name + " examples have " + inputWidth() + " inputs but the network expects "
                    + network.inputWidth());
        }
        if (targetWidth() != network.outputWidth()) {
            throw new IllegalArgumentException(name + " examples have targets of width " + targetWidth()
                    + " but the network has " + network.outputWidth() + " outputs"
                    + (network.outputWidth() > 1 && targetWidth() == 1 ? " (one-hot encode class targets)" : ""));
        }
    }
}
