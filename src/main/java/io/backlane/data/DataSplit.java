package io.backlane.data;

import io.backlane.nn.FeatureScaler;

/**
 * A dataset split into training, validation and test parts (the last two may have 0 rows). The
 * parts keep the parent's feature names, class labels and target name, so class indices mean the
 * same in all three.
 *
 * <pre>{@code
 * DataSplit s = Preprocessing.split(BundledDatasets.load("breast-cancer"), 0.15, 0.15, 42L);
 * ScaledSplit scaled = s.scaled(FeatureScaler.Kind.STANDARDIZE); // fitted on s.train() only
 * Dataset train = scaled.split().train();                        // what the network sees
 * FeatureScaler keep = scaled.scaler();                           // what the model file stores
 * }</pre>
 *
 * @param train      the rows to fit on (never empty)
 * @param validation the rows for early stopping or tuning (possibly empty)
 * @param test       the rows held out for the final estimate (possibly empty)
 */
public record DataSplit(Dataset train, Dataset validation, Dataset test) {
    public DataSplit {
        if (train == null || validation == null || test == null) {
            throw new IllegalArgumentException("train, validation and test must not be null");
        }
        if (train.rows() == 0) {
            throw new IllegalArgumentException("the training part must not be empty");
        }
    }

    /**
     * Fits a scaler of the given kind on the training part only, so that no statistic of the
     * validation or test rows leaks into training, and applies it to all three parts. Returns new
     * datasets; this split is unchanged.
     */
    public ScaledSplit scaled(FeatureScaler.Kind kind) {
        FeatureScaler scaler = Preprocessing.fitScaler(train, kind);
        return new ScaledSplit(apply(scaler), scaler);
    }

    /** Applies an existing scaler (for example one read from a model file) to all three parts. */
    public DataSplit apply(FeatureScaler scaler) {
        return new DataSplit(train.scaled(scaler), validation.scaled(scaler), test.scaled(scaler));
    }
}
