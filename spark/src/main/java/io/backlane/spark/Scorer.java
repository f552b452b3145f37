package io.backlane.spark;

import io.backlane.infer.Prediction;
import io.backlane.infer.Predictor;
import io.backlane.io.ModelReader;
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
 * Scores one partition: reads the broadcast model once, makes one {@link Predictor} and one reused
 * {@link Prediction} and input buffer, and maps each row to the row plus the output columns. The
 * predictor allocates nothing per row; the output rows and their vectors are Spark's to keep.
 *
 * <p>Output columns, as Spark's classifiers name them: {@code rawPrediction} (a vector: the natural
 * logarithms of the class probabilities, the logits shifted per row by their log-sum-exp for a
 * softmax output), {@code probability} (a vector, one per class) and {@code prediction} (the class
 * index as a double; a two-class model says 1 from probability 0.5); for regression only
 * {@code prediction}, in the targets' units.
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
        Predictor predictor = Predictor.of(m);
        int partition = TaskContext.getPartitionId();
        return new Iterator<>() {
            private final float[] x = new float[features.width];
            private final Prediction answer = new Prediction();
            private Row next;
            private long index;

            @Override
            public boolean hasNext() {
                while (next == null && rows.hasNext()) {
                    Row row = rows.next();
                    String problem = features.read(row, featuresIndex, x, 0);
                    long at = index++;
                    if (problem == null) {
                        next = score(row, predictor, x, answer);
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

    private Row score(Row row, Predictor predictor, float[] x, Prediction answer) {
        predictor.predict(x, answer);
        int width = row.length();
        int added = (rawPredictionCol != null ? 1 : 0) + (probabilityCol != null ? 1 : 0) + (predictionCol != null ? 1 : 0);
        Object[] values = new Object[width + added];
        for (int i = 0; i < width; i++) {
            values[i] = row.get(i);
        }
        int k = width;
        if (answer.classCount() > 0) {
            int classes = answer.classCount();
            if (rawPredictionCol != null) {
                double[] raw = new double[classes];
                for (int c = 0; c < classes; c++) {
                    raw[c] = Math.log(answer.probability(c));
                }
                values[k++] = new DenseVector(raw);
            }
            if (probabilityCol != null) {
                double[] p = new double[classes];
                for (int c = 0; c < classes; c++) {
                    p[c] = answer.probability(c);
                }
                values[k++] = new DenseVector(p);
            }
            if (predictionCol != null) {
                values[k] = (double) answer.classIndex();
            }
        } else if (predictionCol != null) {
            values[k] = (double) answer.value();
        }
        return RowFactory.create(values);
    }
}
