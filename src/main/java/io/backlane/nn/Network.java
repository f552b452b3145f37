package io.backlane.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * An immutable description of a feed-forward network: the input width n[0], dense layers
 * l = 1..L with widths n[l] and activations g[l], and a loss. It knows nothing of batches or values.
 *
 * <p>All parameters live in one float array (see {@link Parameters}) in the order
 * W[1], b[1], W[2], b[2], ..., each W[l] of shape (n[l], n[l-1]) row-major (docs/backpropagation.md):
 * element (i, j) of W[l] is at {@code weightOffset(l) + i * n[l-1] + j}, b[l][i] at
 * {@code biasOffset(l) + i}.
 *
 * <pre>{@code
 * Network net = Network.builder(64)
 *         .dense(32, Activation.RELU)
 *         .output(OutputHead.forClasses(10))   // 10 softmax units, categorical cross-entropy
 *         .build();
 * }</pre>
 */
public final class Network {
    private final int[] widths;          // n[0..L]
    private final Layer[] layers;        // layers[l - 1] is layer l
    private final Loss loss;
    private final int[] weightOffsets;   // index l - 1
    private final int[] biasOffsets;     // index l - 1
    private final int parameterCount;

    private Network(int inputWidth, List<Layer> layerList, Loss loss) {
        this.layers = layerList.toArray(new Layer[0]);
        this.loss = loss;
        this.widths = new int[layers.length + 1];
        widths[0] = inputWidth;
        weightOffsets = new int[layers.length];
        biasOffsets = new int[layers.length];
        long offset = 0;
        for (int l = 1; l <= layers.length; l++) {
            widths[l] = layers[l - 1].width();
            weightOffsets[l - 1] = (int) offset;
            offset += (long) widths[l] * widths[l - 1];
            biasOffsets[l - 1] = (int) Math.min(offset, Integer.MAX_VALUE);
            offset += widths[l];
            if (offset > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("network has " + offset
                        + " or more parameters; at most " + (Integer.MAX_VALUE - 16) + " fit in one float array");
            }
        }
        parameterCount = (int) offset;
    }

    /** Starts a network whose examples have {@code inputWidth} features. */
    public static Builder builder(int inputWidth) {
        return new Builder(inputWidth);
    }

    /** L, the number of layers with parameters (the input is layer 0 and is not counted). */
    public int layerCount() {
        return layers.length;
    }

    /** n[l] for l in 0..L. */
    public int width(int l) {
        return widths[checkLayerIndex(l, 0)];
    }

    public int inputWidth() {
        return widths[0];
    }

    public int outputWidth() {
        return widths[layers.length];
    }

    /** The widest layer, input included. */
    public int maxWidth() {
        int max = 0;
        for (int w : widths) {
            max = Math.max(max, w);
        }
        return max;
    }

    /** Layer l, for l in 1..L. */
    public Layer layer(int l) {
        return layers[checkLayerIndex(l, 1) - 1];
    }

    public Activation activation(int l) {
        return layer(l).activation();
    }

    public Loss loss() {
        return loss;
    }

    /** Offset of W[l] (n[l] × n[l-1], row-major) in the parameter array. */
    public int weightOffset(int l) {
        return weightOffsets[checkLayerIndex(l, 1) - 1];
    }

    /** Offset of b[l] (n[l]) in the parameter array. */
    public int biasOffset(int l) {
        return biasOffsets[checkLayerIndex(l, 1) - 1];
    }

    /** n[l] · n[l-1], the number of weights of layer l. */
    public int weightCount(int l) {
        return widths[checkLayerIndex(l, 1)] * widths[l - 1];
    }

    /** Total number of floats in the parameter array. */
    public int parameterCount() {
        return parameterCount;
    }

    /**
     * The name of the parameter at {@code index} of the parameter array, for messages: for example
     * {@code W[2][3][5]} (layer 2, unit 3, input 5) or {@code b[1][0]}.
     */
    public String parameterName(int index) {
        if (index < 0 || index >= parameterCount) {
            throw new IndexOutOfBoundsException("parameter " + index + " is not in [0, " + parameterCount + ")");
        }
        int l = layers.length;
        while (weightOffsets[l - 1] > index) {
            l--;
        }
        int inLayer = index - weightOffsets[l - 1];
        int cols = widths[l - 1];
        return inLayer < widths[l] * cols ? "W[" + l + "][" + inLayer / cols + "][" + inLayer % cols + "]"
                : "b[" + l + "][" + (index - biasOffsets[l - 1]) + "]";
    }

    private int checkLayerIndex(int l, int min) {
        if (l < min || l > layers.length) {
            throw new IndexOutOfBoundsException("layer " + l + " is not in [" + min + ", " + layers.length + "]");
        }
        return l;
    }

    /** A compact description, for example {@code 64-32(relu)-10(softmax) categorical_cross_entropy}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(widths[0]);
        for (Layer layer : layers) {
            s.append('-').append(layer.width()).append('(').append(layer.activation().name().toLowerCase(java.util.Locale.ROOT));
            if (layer.activation() == Activation.LEAKY_RELU) {
                s.append(' ').append(layer.slope());
            }
            s.append(')');
        }
        return s.append(' ').append(loss.name().toLowerCase(java.util.Locale.ROOT)).toString();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Network other && other.loss == loss && widths[0] == other.widths[0]
                && java.util.Arrays.equals(layers, other.layers);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * widths[0] + loss.hashCode()) + java.util.Arrays.hashCode(layers);
    }

    /** Collects layers and the loss; {@link #build()} refuses combinations that cannot be trained. */
    public static final class Builder {
        private final int inputWidth;
        private final List<Layer> layers = new ArrayList<>();
        private Loss loss;

        private Builder(int inputWidth) {
            if (inputWidth < 1) {
                throw new IllegalArgumentException("input width must be >= 1, got " + inputWidth);
            }
            this.inputWidth = inputWidth;
        }

        /** Adds a dense layer of {@code width} units with activation g. */
        public Builder dense(int width, Activation g) {
            return dense(new Layer(width, g, g == Activation.LEAKY_RELU ? Layer.DEFAULT_LEAKY_SLOPE : 0f));
        }

        /** Adds a leaky-ReLU layer with the given negative-side slope. */
        public Builder leakyRelu(int width, float slope) {
            return dense(new Layer(width, Activation.LEAKY_RELU, slope));
        }

        public Builder dense(Layer layer) {
            if (layer == null) {
                throw new IllegalArgumentException("layer must not be null");
            }
            layers.add(layer);
            return this;
        }

        public Builder loss(Loss loss) {
            this.loss = loss;
            return this;
        }

        /** Adds the output layer of {@code head} and sets its loss. */
        public Builder output(OutputHead head) {
            if (head == null) {
                throw new IllegalArgumentException("head must not be null");
            }
            return dense(head.width(), head.activation()).loss(head.loss());
        }

        /** Checks the description and returns the network. */
        public Network build() {
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("a network needs at least one layer: call dense(width, activation)");
            }
            for (int l = 1; l < layers.size(); l++) {
                if (layers.get(l - 1).activation() == Activation.SOFTMAX) {
                    throw new IllegalArgumentException("softmax is only allowed on the output layer, found on layer " + l
                            + " of " + layers.size() + "; use relu, tanh or sigmoid for hidden layers");
                }
            }
            Layer out = layers.get(layers.size() - 1);
            if (loss == null) {
                throw new IllegalArgumentException("no loss: call loss(...); binary_cross_entropy goes with a sigmoid output,"
                        + " categorical_cross_entropy with softmax, mean_squared_error with identity");
            }
            switch (loss) {
                case BINARY_CROSS_ENTROPY -> {
                    if (out.activation() != Activation.SIGMOID) {
                        throw new IllegalArgumentException("binary_cross_entropy needs a sigmoid output layer, not "
                                + out.activation().name().toLowerCase(java.util.Locale.ROOT)
                                + (out.activation() == Activation.SOFTMAX
                                ? "; for softmax use categorical_cross_entropy" : "; make the output layer sigmoid"));
                    }
                }
                case CATEGORICAL_CROSS_ENTROPY -> {
                    if (out.activation() != Activation.SOFTMAX) {
                        throw new IllegalArgumentException("categorical_cross_entropy needs a softmax output layer, not "
                                + out.activation().name().toLowerCase(java.util.Locale.ROOT)
                                + "; make the output layer softmax (or use binary_cross_entropy with sigmoid)");
                    }
                    if (out.width() < 2) {
                        throw new IllegalArgumentException("a softmax output needs at least 2 units, got " + out.width()
                                + "; for two classes use 1 sigmoid unit with binary_cross_entropy or 2 softmax units");
                    }
                }
                case MEAN_SQUARED_ERROR -> {
                    if (out.activation() == Activation.SOFTMAX) {
                        throw new IllegalArgumentException("mean_squared_error with a softmax output is not supported;"
                                + " use categorical_cross_entropy for softmax, or an identity output for regression");
                    }
                }
            }
            return new Network(inputWidth, layers, loss);
        }
    }
}
