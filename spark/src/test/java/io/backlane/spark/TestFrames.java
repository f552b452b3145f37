package io.backlane.spark;

import io.backlane.data.Dataset;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** DataFrames of backlane datasets for the tests: a vector column "features" and a double column "label". */
final class TestFrames {
    private TestFrames() {
    }

    static final StructType VECTOR_SCHEMA = new StructType()
            .add("features", SQLDataTypes.VectorType(), false)
            .add("label", DataTypes.DoubleType, false);

    /**
     * The rows of {@code data} in order, in local[2]'s two partitions (a local relation is cut into
     * the default parallelism's slices, in order: the same partitioning every run).
     */
    static org.apache.spark.sql.Dataset<Row> of(SparkSession spark, Dataset data) {
        List<Row> rows = new ArrayList<>(data.rows());
        for (int i = 0; i < data.rows(); i++) {
            float[] f = data.features(i);
            double[] d = new double[f.length];
            for (int j = 0; j < f.length; j++) {
                d[j] = f[j];
            }
            rows.add(RowFactory.create(Vectors.dense(d), data.isClassification() ? (double) data.classIndex(i) : (double) data.target(i)));
        }
        return spark.createDataFrame(rows, VECTOR_SCHEMA);
    }
}
