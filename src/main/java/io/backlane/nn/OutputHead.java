package io.backlane.nn;

/**
 * The output layer and loss that go with a task, so that a network's head and the encoding of its
 * targets always agree:
 *
 * <ul>
 *   <li>two classes: one sigmoid unit with binary cross-entropy (target: the class index, 0 or 1);</li>
 *   <li>K &gt; 2 classes: K softmax units with categorical cross-entropy (target: a one-hot row);</li>
 *   <li>regression: one identity unit with squared error (target: the value).</li>
 * </ul>
 *
 * A loss given explicitly overrides the default and brings its own output activation: sigmoid for
 * binary cross-entropy, softmax for categorical cross-entropy; squared error keeps sigmoid outputs on
 * class targets and identity outputs on real ones.
 *
 * <pre>{@code
 * Network net = Network.builder(30).dense(16, Activation.RELU)
 *         .output(OutputHead.forClasses(2))        // 1 sigmoid unit, binary cross-entropy
 *         .build();
 * }</pre>
 *
 * @param width      n[L], the number of output units
 * @param activation g[L]
 * @param loss       the loss
 */
public record OutputHead(int width, Activation activation, Loss loss) {
    public OutputHead {
        if (width < 1) {
            throw new IllegalArgumentException("output width must be >= 1, got " + width);
        }
        if (activation == null || loss == null) {
            throw new IllegalArgumentException("activation and loss must not be null");
        }
    }

    /** The default head for {@code classes} classes. */
    public static OutputHead forClasses(int classes) {
        return forClasses(classes, null);
    }

    /** The head for {@code classes} classes with {@code loss} (null: the default for the class count). */
    public static OutputHead forClasses(int classes, Loss loss) {
        if (classes < 2) {
            throw new IllegalArgumentException("classification needs at least 2 classes, got " + classes);
        }
        Loss l = loss != null ? loss : classes == 2 ? Loss.BINARY_CROSS_ENTROPY : Loss.CATEGORICAL_CROSS_ENTROPY;
        int width = l != Loss.CATEGORICAL_CROSS_ENTROPY && classes == 2 ? 1 : classes;
        return new OutputHead(width, l == Loss.CATEGORICAL_CROSS_ENTROPY ? Activation.SOFTMAX : Activation.SIGMOID, l);
    }

    /** The head for one real-valued target: identity and squared error. */
    public static OutputHead forRegression() {
        return new OutputHead(1, Activation.IDENTITY, Loss.MEAN_SQUARED_ERROR);
    }

    /**
     * A head of {@code outputs} units for a network described without a dataset: one output is a
     * sigmoid with binary cross-entropy and several a softmax with categorical cross-entropy by
     * default; squared error gets identity outputs.
     */
    public static OutputHead forOutputs(int outputs, Loss loss) {
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs must be >= 1, got " + outputs);
        }
        Loss l = loss != null ? loss : outputs == 1 ? Loss.BINARY_CROSS_ENTROPY : Loss.CATEGORICAL_CROSS_ENTROPY;
        return new OutputHead(outputs, switch (l) {
            case BINARY_CROSS_ENTROPY -> Activation.SIGMOID;
            case CATEGORICAL_CROSS_ENTROPY -> Activation.SOFTMAX;
            case MEAN_SQUARED_ERROR -> Activation.IDENTITY;
        }, l);
    }
}
