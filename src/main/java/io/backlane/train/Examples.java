package io.backlane.train;

import io.backlane.nn.Network;

/**
 * Training or validation examples as two row-major arrays: inputs x (count × n[0]) and targets y
 * (count × n[L]): one-hot rows for a softmax output, 0/1 values for sigmoid outputs, real values for
 * regression. The arrays are used as they are, not copied.
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
