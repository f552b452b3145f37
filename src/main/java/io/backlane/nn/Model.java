package io.backlane.nn;

import java.util.Arrays;
import java.util.List;

/**
 * A trained network, ready to predict on raw inputs and to be saved: the network, a snapshot of its
 * parameters, the feature transform fitted on the training data, and the class labels (empty for
 * regression). The unit that model files store and that predictors serve.
 *
 * <p>Immutable: the constructor copies the parameters, so training may go on writing its own
 * {@link Parameters} while this model serves, and no reader ever sees a half-updated weight.
 *
 * <pre>{@code
 * Model model = new Model(params, scaler, List.of("benign", "malignant"));  // a snapshot of params
 * trainer.fit(moreExamples);                                                 // model is unchanged
 * }</pre>
 */
public final class Model {
    private final Network network;
    final float[] theta;               // (P) the parameters' snapshot, never written after construction
    private final FeatureScaler scaler;
    private final List<String> classLabels;

    /**
     * A model of a copy of {@code parameters}.
     *
     * @param parameters  the trained values; copied
     * @param scaler      the input transform, of the network's input width
     *                    ({@link FeatureScaler#identity} when there is none)
     * @param classLabels class names by class index for classification (for a single sigmoid output,
     *                    the names of class 0 and class 1); empty for regression
     */
    public Model(Parameters parameters, FeatureScaler scaler, List<String> classLabels) {
        if (parameters == null || scaler == null || classLabels == null) {
            throw new IllegalArgumentException("parameters, scaler and classLabels must not be null");
        }
        this.network = parameters.network();
        if (scaler.width() != network.inputWidth()) {
            throw new IllegalArgumentException("scaler has " + scaler.width() + " features but the network expects "
                    + network.inputWidth());
        }
        for (String label : classLabels) {
            if (label == null) {
                throw new IllegalArgumentException("class labels must not be null: " + classLabels);
            }
        }
        this.classLabels = List.copyOf(classLabels);
        if (!this.classLabels.isEmpty()) {
            int expected = network.outputWidth() == 1 ? 2 : network.outputWidth();
            if (this.classLabels.size() != expected) {
                throw new IllegalArgumentException(this.classLabels.size() + " class labels for a network with "
                        + network.outputWidth() + " outputs; expected " + expected);
            }
        }
        this.theta = parameters.values().clone();
        this.scaler = scaler;
    }

    public Network network() {
        return network;
    }

    /** A fresh copy of the parameters (allocates): to save, inspect, or train further. */
    public Parameters parameters() {
        return new Parameters(network, theta);
    }

    /** The input transform. */
    public FeatureScaler scaler() {
        return scaler;
    }

    /** Class names by class index; empty for regression. */
    public List<String> classLabels() {
        return classLabels;
    }

    /** Whether the model predicts classes (it has class labels). */
    public boolean isClassifier() {
        return !classLabels.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Model m && m.network.equals(network) && Arrays.equals(m.theta, theta)
                && m.scaler.equals(scaler) && m.classLabels.equals(classLabels);
    }

    @Override
    public int hashCode() {
        return ((network.hashCode() * 31 + Arrays.hashCode(theta)) * 31 + scaler.hashCode()) * 31 + classLabels.hashCode();
    }

    @Override
    public String toString() {
        return "Model[" + network + (isClassifier() ? ", classes " + classLabels : ", regression") + ", "
                + scaler.kind().name().toLowerCase(java.util.Locale.ROOT) + " scaling]";
    }
}
