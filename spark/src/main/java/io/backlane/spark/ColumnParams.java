package io.backlane.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The column and input-handling params that estimators and models both have, made in one place so
 * that their names and docs agree (Spark copies an estimator's values to its model by name).
 */
final class ColumnParams {
    /** {@link #handleInvalid}'s values. */
    static final String ERROR = "error";
    static final String SKIP = "skip";

    private ColumnParams() {
    }

    static Param<String> featuresCol(Params owner) {
        return new Param<>(owner, "featuresCol", "features column: an ML vector or an array of numbers");
    }

    static Param<String> predictionCol(Params owner) {
        return new Param<>(owner, "predictionCol", "prediction column name (empty: not added)");
    }

    static Param<String> probabilityCol(Params owner) {
        return new Param<>(owner, "probabilityCol", "column of class probabilities (empty: not added)");
    }

    static Param<String> rawPredictionCol(Params owner) {
        return new Param<>(owner, "rawPredictionCol",
                "column of raw predictions: the output layer's logits, one per class ((-z, z) for two"
                        + " classes' sigmoid logit z) (empty: not added)");
    }

    static Param<String> handleInvalid(Params owner) {
        return new Param<>(owner, "handleInvalid", "how to handle a row with a null, NaN or infinite value, another"
                + " number of features than the network's inputs, or (training) a label that is no class index:"
                + " 'error' (fail, naming the column, row and problem) or 'skip' (drop the row)",
                ParamValidators.inArray(new String[] {ERROR, SKIP}));
    }
}
