package io.backlane.spark;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a row's features, from an ML {@link Vector} column or an array of numbers, into floats,
 * and says what is wrong with a row that cannot be used: null, another number of values than the
 * network's inputs, or a NaN or infinite value. Shipped to executors with the tasks.
 */
final class FeatureColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    final String name;
    final int width;
    /** Where the width comes from, for messages: a malformed first row is then recognizable. */
    private final String widthFrom;
    private final boolean vector;

    private FeatureColumn(String name, int width, String widthFrom, boolean vector) {
        this.name = name;
        this.width = width;
        this.widthFrom = widthFrom;
        this.vector = vector;
    }

    /**
     * The reader of column {@code name} of {@code schema}, whose rows must hold {@code width} values.
     *
     * @param widthFrom where the width comes from, as a message says it after "expected N", for
     *                  example "from the first non-null row"
     * @throws IllegalArgumentException when the column is missing or of another type
     */
    static FeatureColumn of(StructType schema, String name, int width, String widthFrom) {
        return new FeatureColumn(name, width, widthFrom, checkType(schema, name) instanceof VectorUDT);
    }

    /**
     * The type of features column {@code name}: an ML vector or an array of numbers.
     *
     * @throws IllegalArgumentException naming the column and its type otherwise
     */
    static DataType checkType(StructType schema, String name) {
        DataType type = field(schema, name, "features").dataType();
        if (type instanceof VectorUDT
                || type instanceof ArrayType array && array.elementType() instanceof NumericType) {
            return type;
        }
        throw new IllegalArgumentException("features column '" + name + "' has type " + type.simpleString()
                + "; it must be an ML vector (org.apache.spark.ml.linalg.Vector, for example from a VectorAssembler)"
                + " or an array of numbers");
    }

    /** Column {@code name} of {@code schema}, or an error that names it and the columns there are. */
    static StructField field(StructType schema, String name, String role) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException(role + " column '" + name + "' does not exist; the columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        return schema.apply(name);
    }

    /**
     * Reads the features in column {@code index} of {@code row} into {@code dst} from {@code off}.
     * Returns null when the row is good, else the problem, for a message ("has 3 values, expected 4
     * (from the first non-null row)").
     */
    String read(Row row, int index, float[] dst, int off) {
        if (row.isNullAt(index)) {
            return "is null";
        }
        if (vector) {
            Vector v = (Vector) row.get(index);
            if (v.size() != width) {
                return wrongWidth(v.size());
            }
            if (v instanceof DenseVector d) {
                double[] values = d.values();
                for (int j = 0; j < width; j++) {
                    dst[off + j] = (float) values[j];
                }
            } else {
                SparseVector s = (SparseVector) v;
                Arrays.fill(dst, off, off + width, 0f);
                int[] indices = s.indices();
                double[] values = s.values();
                for (int k = 0; k < indices.length; k++) {
                    dst[off + indices[k]] = (float) values[k];
                }
            }
        } else {
            List<Object> values = row.getList(index);
            if (values.size() != width) {
                return wrongWidth(values.size());
            }
            for (int j = 0; j < width; j++) {
                Object value = values.get(j);
                if (value == null) {
                    return "has a null at index " + j;
                }
                dst[off + j] = ((Number) value).floatValue();
            }
        }
        for (int j = 0; j < width; j++) {
            float value = dst[off + j];
            if (!Float.isFinite(value)) {
                return "has " + value + " at index " + j + (Float.isNaN(value) ? "" : " (or a value beyond the float range)");
            }
        }
        return null;
    }

    private String wrongWidth(int size) {
        return "has " + size + " values, expected " + width + " (" + widthFrom + ")";
    }

    /** The number of values in the first row's column {@code index}, for a width not known from the schema. */
    static int widthOf(Row row, int index) {
        if (row.isNullAt(index)) {
            return -1;
        }
        Object value = row.get(index);
        return value instanceof Vector v ? v.size() : row.getList(index).size();
    }
}
