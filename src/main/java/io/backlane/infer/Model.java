package io.backlane.infer;

import io.backlane.data.FeatureScaler;
import io.backlane.nn.Network;
import io.backlane.nn.Parameters;

import java.util.List;

/**
 * Everything needed to predict on raw inputs: the network, its parameters, the feature transform
 * fitted on the training data, and the class labels (empty for regression). The unit that model
 * files store.
 *
 * @param network     the architecture
 * @param parameters  the trained values (of {@code network})
 * @param scaler      the input transform (width n[0]); {@link FeatureScaler#identity} when none
 * @param classLabels class names by output index for classification (for a single sigmoid output:
 *                    the names of class 0 and class 1); empty for regression
 */
public record Model(Network network, Parameters parameters, FeatureScaler scaler, List<String> classLabels) {
    public Model {
        if (network == null || parameters == null || scaler == null || classLabels == null) {
            throw new IllegalArgumentException("network, parameters, scaler and classLabels must not be null");
        }
        if (!parameters.network().equals(network)) {
            throw new IllegalArgumentException("parameters belong to " + parameters.network() + ", not to " + network);
        }
        if (scaler.width() != network.inputWidth()) {
            throw new IllegalArgumentException("scaler has " + scaler.width() + " features but the network expects "
                    + network.inputWidth());
        }
        classLabels = List.copyOf(classLabels);
        if (!classLabels.isEmpty()) {
            int expected = network.outputWidth() == 1 ? 2 : network.outputWidth();
            if (classLabels.size() != expected) {
                throw new IllegalArgumentException(classLabels.size() + " class labels for a network with "
                        + network.outputWidth() + " outputs; expected " + expected);
            }
        }
    }

    /** Whether the model predicts classes (it has class labels). */
    public boolean isClassifier() {
        return !classLabels.isEmpty();
    }
}
