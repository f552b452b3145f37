package io.backlane.spark;

import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A backlane regressor in a Spark ML pipeline, made by {@link BacklaneRegressor#fit} or read by
 * {@link #load}: adds a {@code prediction} column (a double, in the targets' units).
 */
public final class BacklaneRegressionModel extends BacklaneModel<BacklaneRegressionModel> {
    private static final long serialVersionUID = 1L;

    /** A model around a backlane regression model, for example one read with {@code ModelReader}. */
    public BacklaneRegressionModel(io.backlane.nn.Model model) {
        this(Identifiable.randomUID("backlaneRegressionModel"), model);
    }

    /** A model with this uid around a backlane regression model. */
    public BacklaneRegressionModel(String uid, io.backlane.nn.Model model) {
        super(uid, requireRegression(model));
    }

    private static io.backlane.nn.Model requireRegression(io.backlane.nn.Model model) {
        if (model == null || model.isClassifier()) {
            throw new IllegalArgumentException(model == null ? "model must not be null"
                    : "a classification model cannot be a BacklaneRegressionModel; use BacklaneClassificationModel");
        }
        if (model.network().outputWidth() != 1) {
            throw new IllegalArgumentException("a BacklaneRegressionModel predicts one value; this model has "
                    + model.network().outputWidth() + " outputs");
        }
        return model;
    }

    @Override
    String[] outputColumns() {
        return new String[] {null, null, wanted(getOrDefault(predictionCol()))};
    }

    @Override
    BacklaneRegressionModel newInstance(io.backlane.nn.Model model) {
        return new BacklaneRegressionModel(uid(), model);
    }

    /** The reader that {@code Pipeline.load} and {@link #load} use. */
    public static MLReader<BacklaneRegressionModel> read() {
        return reader(BacklaneRegressionModel.class, BacklaneRegressionModel::new);
    }

    /** Reads a model saved with {@code save(path)}. */
    public static BacklaneRegressionModel load(String path) {
        return read().load(path);
    }
}
