package io.backlane.spark;

import io.backlane.nn.OutputHead;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;

/**
 * A backlane neural-network classifier as a Spark ML estimator. Labels are class indices 0, 1, ...
 * (a {@code StringIndexer}'s output; its label names become the model's class labels); the output
 * layer is one sigmoid unit for two classes and a softmax over K classes otherwise, as on the command
 * line. See {@link BacklaneEstimator} for the params and the training modes.
 *
 * <pre>{@code
 * BacklaneClassifier classifier = new BacklaneClassifier().setLayers("64:relu").setEpochs(20);
 * PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, classifier}).fit(train);
 * }</pre>
 */
public final class BacklaneClassifier extends BacklaneEstimator<BacklaneClassifier, BacklaneClassificationModel> {
    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    public BacklaneClassifier() {
        this(Identifiable.randomUID("backlaneClassifier"));
    }

    public BacklaneClassifier(String uid) {
        super(uid);
        probabilityCol = ColumnParams.probabilityCol(this);
        rawPredictionCol = ColumnParams.rawPredictionCol(this);
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public BacklaneClassifier setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public BacklaneClassifier setRawPredictionCol(String value) {
        set(rawPredictionCol, value);
        return this;
    }

    @Override
    boolean classification() {
        return true;
    }

    @Override
    OutputHead head(TrainingData data) {
        return OutputHead.forClasses(data.classes);
    }

    @Override
    BacklaneClassificationModel newModel(io.backlane.nn.Model model) {
        return new BacklaneClassificationModel(uid(), model);
    }

    /** The reader that {@code Pipeline.load} and {@link #load} use. */
    public static MLReader<BacklaneClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static BacklaneClassifier load(String path) {
        return read().load(path);
    }
}
