package io.backlane.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A backlane classifier in a Spark ML pipeline, made by {@link BacklaneClassifier#fit} or read by
 * {@link #load}: adds a {@code rawPrediction} vector (the output layer's logits; for two classes
 * (−z, z), z the sigmoid unit's logit, as Spark's {@code LogisticRegression} has it), a
 * {@code probability} vector and a {@code prediction} (class index as a double), as Spark's
 * classifiers do.
 *
 * <pre>{@code
 * BacklaneClassificationModel model = BacklaneClassificationModel.load("hdfs:///models/digits");
 * Dataset<Row> scored = model.transform(images);
 * }</pre>
 */
public final class BacklaneClassificationModel extends BacklaneModel<BacklaneClassificationModel> {
    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    /** A model around a backlane classification model, for example one read with {@code ModelReader}. */
    public BacklaneClassificationModel(io.backlane.nn.Model model) {
        this(Identifiable.randomUID("backlaneClassificationModel"), model);
    }

    /** A model with this uid around a backlane classification model. */
    public BacklaneClassificationModel(String uid, io.backlane.nn.Model model) {
        super(uid, requireClassifier(model));
        probabilityCol = ColumnParams.probabilityCol(this);
        rawPredictionCol = ColumnParams.rawPredictionCol(this);
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    private static io.backlane.nn.Model requireClassifier(io.backlane.nn.Model model) {
        if (model == null || !model.isClassifier()) {
            throw new IllegalArgumentException(model == null ? "model must not be null"
                    : "a regression model cannot be a BacklaneClassificationModel; use BacklaneRegressionModel");
        }
        return model;
    }

    /** The number of classes. */
    public int numClasses() {
        return model().classLabels().size();
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public BacklaneClassificationModel setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public BacklaneClassificationModel setRawPredictionCol(String value) {
        set(rawPredictionCol, value);
        return this;
    }

    @Override
    String[] outputColumns() {
        return new String[] {wanted(getOrDefault(rawPredictionCol)), wanted(getOrDefault(probabilityCol)),
                wanted(getOrDefault(predictionCol()))};
    }

    @Override
    BacklaneClassificationModel newInstance(io.backlane.nn.Model model) {
        return new BacklaneClassificationModel(uid(), model);
    }

    /** The reader that {@code Pipeline.load} and {@link #load} use. */
    public static MLReader<BacklaneClassificationModel> read() {
        return reader(BacklaneClassificationModel.class, BacklaneClassificationModel::new);
    }

    /** Reads a model saved with {@code save(path)}. */
    public static BacklaneClassificationModel load(String path) {
        return read().load(path);
    }
}
