package io.backlane.spark;

import io.backlane.nn.OutputHead;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A backlane neural-network regressor as a Spark ML estimator: one identity output with squared
 * error; the targets are standardized for training (mean and standard deviation of the training
 * rows, saved with the model), so predictions are in the targets' units. See
 * {@link BacklaneEstimator} for the params and the training modes.
 */
public final class BacklaneRegressor extends BacklaneEstimator<BacklaneRegressor, BacklaneRegressionModel> {
    private static final long serialVersionUID = 1L;

    public BacklaneRegressor() {
        this(Identifiable.randomUID("backlaneRegressor"));
    }

    public BacklaneRegressor(String uid) {
        super(uid);
    }

    @Override
    boolean classification() {
        return false;
    }

    @Override
    OutputHead head(TrainingData data) {
        return OutputHead.forRegression();
    }

    @Override
    BacklaneRegressionModel newModel(io.backlane.nn.Model model) {
        return new BacklaneRegressionModel(uid(), model);
    }

    /** The reader that {@code Pipeline.load} and {@link #load} use. */
    public static MLReader<BacklaneRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static BacklaneRegressor load(String path) {
        return read().load(path);
    }
}
