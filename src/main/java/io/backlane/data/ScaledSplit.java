package io.backlane.data;

import java.util.Objects;

/**
 * A split whose features have been transformed, with the transform that did it (fitted on the
 * training part); the scaler is what a model must store to transform prediction inputs the same way.
 *
 * <pre>{@code
 * ScaledSplit s = Preprocessing.split(data, 0.1, 0.1, 7L).scaled(FeatureScaler.Kind.MIN_MAX);
 * train(s.split().train());
 * save(s.scaler());
 * }</pre>
 *
 * @param split  the transformed parts
 * @param scaler the transform, fitted on the untransformed training part
 */
public record ScaledSplit(DataSplit split, FeatureScaler scaler) {
    public ScaledSplit {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(scaler, "scaler");
    }
}
