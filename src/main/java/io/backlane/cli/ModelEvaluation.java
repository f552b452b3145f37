package io.backlane.cli;

import io.backlane.data.Dataset;
import io.backlane.infer.Predictor;
import io.backlane.infer.ServingModel;
import io.backlane.nn.Model;
import io.backlane.train.Examples;

import java.io.PrintWriter;

/**
 * Runs a model on labelled raw data (as a user would give it: the model applies its own feature
 * transform) and reports {@link Metrics}: what {@code train} prints for its test split and
 * {@code evaluate} for a dataset.
 */
final class ModelEvaluation {
    private static final int BATCH = 256;

    private ModelEvaluation() {
    }

    /** A predictor whose buffers hold the rows to score, up to a batch: 2 rows of a wide model need no 256-row buffers. */
    private static Predictor predictor(Model model, int rows) {
        return new ServingModel(model).newPredictor(Math.max(1, Math.min(BATCH, rows)));
    }

    /** The outputs of the model for every row of {@code data}: rows × n[L], row-major. */
    static float[] outputs(Model model, Dataset data) {
        int width = model.network().outputWidth();
        float[] out = new float[Math.multiplyExact(data.rows(), width)];
        try {
            predictor(model, data.rows()).predict(data.features(), 0, out, 0, data.rows());
        } catch (IllegalArgumentException overflow) { // finite features the model overflows on
            throw new IllegalArgumentException(data.source() + ", evaluated: " + Main.predictorRefusal(overflow), overflow);
        }
        return out;
    }

    /**
     * Evaluates {@code model} on {@code data} (which has targets of the model's kind) and prints the
     * report; returns the headline metric, as {@link #metric}.
     */
    static double print(Model model, Dataset data, PrintWriter out, String title) {
        float[] outputs = outputs(model, data);
        double loss = loss(model, data);
        if (model.isClassifier()) {
            Metrics.Classification c = Metrics.Classification.of(model.classLabels(), data.classIndices(), outputs,
                    model.network().outputWidth(), loss);
            c.print(out, title);
            return c.accuracy();
        }
        Metrics.Regression r = Metrics.Regression.of(outputs, data.targets(), loss);
        r.print(out, title);
        return r.mse();
    }

    /** The headline metric of {@code model} on {@code data}: accuracy, or for regression the mean squared error. */
    static double metric(Model model, Dataset data) {
        float[] outputs = outputs(model, data);
        if (model.isClassifier()) {
            return Metrics.Classification.of(model.classLabels(), data.classIndices(), outputs,
                    model.network().outputWidth(), Double.NaN).accuracy();
        }
        return Metrics.Regression.of(outputs, data.targets(), Double.NaN).mse();
    }

    /** The mean data loss, computed as training computes it (from the logits), on the raw data. */
    static double loss(Model model, Dataset data) {
        Examples raw = Examples.of(data, model.network()); // the model scales the features itself
        return predictor(model, raw.count()).meanLoss(raw.x(), 0, raw.y(), 0, raw.count());
    }
}
