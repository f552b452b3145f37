package io.backlane.data;

import io.backlane.nn.FeatureScaler;

/**
 * A split whose features have been transformed, with the transform that did it (fitted on the
 * training part); the scaler is what a model must store to transform prediction inputs the same way.
 *
 * <pre>{@code
 * ScaledSplit s = Preprocessing.split(data, 0.1, 0.1, 7L).scaled(FeatureScaler.Kind.MIN_MAX);
 * train(s.train());
 * save(s.scaler());
 * }</pre>
 *
 * @param split  the transformed parts
 * @param scaler the transform, fitted on the untransformed training part
 */
public record ScaledSplit(DataSplit split, FeatureScaler scaler) {
    public ScaledSplit {
        if (split == null || scaler == null) {
            throw new IllegalArgumentException("split and scaler must not be null");
        }
    }

    /** The transformed training part. */
    public Dataset train() {
        return split.train();
    }

    /** The transformed validation part (possibly empty). */
    public Dataset validation() {
        return split.validation();
    }

    /** The transformed test part (possibly empty). */
    public Dataset test() {
        return split.test();
    }
}
