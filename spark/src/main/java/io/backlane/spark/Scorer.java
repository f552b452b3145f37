package io.backlane.spark;

import io.backlane.io.ModelReader;
import io.backlane.kernel.Kernels;
import io.backlane.nn.FeatureScaler;
import io.backlane.nn.Forward;
import io.backlane.nn.ForwardState;
import io.backlane.nn.Model;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores one partition: reads the broadcast model once, makes one {@link ForwardState} (the buffers
 * of a one-row forward pass) and one input buffer, and maps each row to the row plus the output
 * columns. The pass is the one the library's {@code Predictor} runs (the model's feature transform,
 * then {@link Forward#run} on its packed weights), run here directly because the predictor does not
 * give the output layer's logits. Nothing is allocated per row but the output row and its vectors,
 * which are Spark's to keep.
 *
 * <p>Output columns, as Spark's classifiers name them: {@code rawPrediction} (a vector of margins:
 * a softmax output's logits, one per class; for a two-class model's single sigmoid unit with logit
 * z, (−z, z) as Spark's {@code LogisticRegression} writes it, probability of class 1 = σ(z)), then
 * {@code probability} (a vector, one per class) and {@code prediction} (the class index as a
 * double: the most probable class, for two classes class 1 from probability 0.5); for regression
 * only {@code prediction}, in the targets' units. The logits are finite wherever the probabilities
 * are, and keep apart classes whose probabilities round to the same float (0 or 1, say), which the
 * logarithms of the probabilities would not.
 */
final class Scorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> model;
    private final FeatureColumn features;
    private final int featuresIndex;
    private final String rawPredictionCol;    // null: not added
    private final String probabilityCol;      // null: not added
    private final String predictionCol;       // null: not added
    private final boolean skipInvalid;

    /**
     * @param outputs the output columns' names as {@link BacklaneModel#outputColumns} gives them:
     *                rawPrediction, probability, prediction, each null when not added
     */
    Scorer(Broadcast<byte[]> model, FeatureColumn features, int featuresIndex, String[] outputs, boolean skipInvalid) {
        this.model = model;
        this.features = features;
        this.featuresIndex = featuresIndex;
        this.skipInvalid = skipInvalid;
        this.rawPredictionCol = outputs[0];
        this.probabilityCol = outputs[1];
        this.predictionCol = outputs[2];
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) throws Exception {
        Model m = ModelReader.read(model.value(), "the broadcast model");
        Pass pass = new Pass(m);
        int partition = TaskContext.getPartitionId();
        return new Iterator<>() {
            private final float[] x = new float[features.width];
            private Row next;
            private long index;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    Row row = rows.next();
                    String problem = features.read(row, featuresIndex, x, 0);
                    if (problem == null) {
                        problem = pass.run(x);
                    }
                    long at = index++;
                    if (problem == null) {
                        next = score(row, pass);
                    } else if (!skipInvalid) {
                        throw new IllegalArgumentException("features column '" + features.name + "', row " + at
                                + " of partition " + partition + ": " + problem + " (handleInvalid=\"skip\" drops such rows)");
                    }
                }
                return next != null;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row r = next;
                next = null;
                return r;
            }
        };
    }

    /** The row plus the output columns, from the pass just run on its features. */
    private Row score(Row row, Pass pass) {
        float[] out = pass.state.output();
        float[] logits = pass.state.logits();
        int width = row.length();
        int added = (rawPredictionCol != null ? 1 : 0) + (probabilityCol != null ? 1 : 0) + (predictionCol != null ? 1 : 0);
        Object[] values = new Object[width + added];
        for (int i = 0; i < width; i++) {
            values[i] = row.get(i);
        }
        int k = width;
        if (pass.model.isClassifier()) {
            int outputs = pass.model.network().outputWidth();
            boolean sigmoid = outputs == 1;     // one unit for two classes: p(class 1) and its logit z
            int classes = sigmoid ? 2 : outputs;
            if (rawPredictionCol != null) {
                double[] raw = new double[classes];
                if (sigmoid) {
                    raw[0] = -logits[0];
                    raw[1] = logits[0];
                } else {
                    for (int c = 0; c < classes; c++) {
                        raw[c] = logits[c];
                    }
                }
                values[k++] = new DenseVector(raw);
            }
            if (probabilityCol != null) {
                double[] p = new double[classes];
                if (sigmoid) {
                    p[0] = 1f - out[0];     // in float, as the library's Predictor computes it
                    p[1] = out[0];
                } else {
                    for (int c = 0; c < classes; c++) {
                        p[c] = out[c];
                    }
                }
                values[k++] = new DenseVector(p);
            }
            if (predictionCol != null) {
                values[k] = (double) (sigmoid ? (out[0] >= 0.5f ? 1 : 0) : argmax(out, classes));
            }
        } else if (predictionCol != null) {
            values[k] = (double) out[0];
        }
        return RowFactory.create(values);
    }

    /** The first most probable class, as the library's {@code Predictor} picks it. */
    private static int argmax(float[] p, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** One partition's forward pass over one row at a time: the model, its kernels and buffers. */
    private static final class Pass {
        final Model model;
        final ForwardState state;
        private final Kernels kernels = Kernels.get();
        private final FeatureScaler scaler;
        private final FeatureScaler targetScaler;

        Pass(Model model) {
            this.model = model;
            this.state = new ForwardState(model.network(), 1);
            this.scaler = model.scaler();
            this.targetScaler = model.targetScaler();
        }

        /**
         * The model's transform of the raw features {@code x} into the state's input, the forward pass,
         * and for a regression model trained on transformed targets its output back in their units.
         * Returns null, or what is wrong when a logit or output is not finite: finite features that
         * overflow the float range inside the network, refused as the library's {@code Predictor}
         * refuses them.
         */
        String run(float[] x) {
            scaler.apply(x, 0, state.input(), 0);
            Forward.run(kernels, model, state.input(), 0, 1, state);
            if (!targetScaler.isIdentity()) {
                targetScaler.invert(state.output(), 0, 1);
            }
            float[] logits = state.logits();
            float[] out = state.output();
            for (int j = 0; j < out.length; j++) {
                if (!Float.isFinite(logits[j]) || !Float.isFinite(out[j])) {
                    return "the model's " + (!Float.isFinite(logits[j]) ? "logit " + j + " is " + logits[j]
                            : "output " + j + " is " + out[j]) + " for finite features: a value overflowed the float"
                            + " range inside the network";
                }
            }
            return null;
        }
    }
}
