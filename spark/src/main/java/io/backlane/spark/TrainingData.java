package io.backlane.spark;

import io.backlane.nn.FeatureScaler;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;

/**
 * A DataFrame's training rows made ready for backlane, once per fit: read and checked on the
 * executors (one {@link Block} per partition, cached), the held-out validation rows drawn, the
 * feature scaler (and for regression the target scaler) fitted over all partitions, the class count
 * found, and the targets encoded for the network's output layer as {@code Examples.of} encodes them.
 */
final class TrainingData implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingData.class);
    /**
     * The most classes a classifier may have: 65,536, within what a model file can name (the format's
     * own limit is not public) and far below 2^24, under which floats hold whole numbers exactly (a
     * block keeps its labels as floats). A label beyond is an identifier rather than a class index.
     */
    static final int MAX_CLASSES = 1 << 16;

    /** The cached blocks, targets encoded and features scaled. */
    final JavaRDD<Block> blocks;
    final int width;
    final long rows;
    final long validationRows;
    /** The number of classes (0 for regression). */
    final int classes;
    /** Class names by index: the label column's nominal attribute values, else "0", "1", ... */
    final List<String> classLabels;
    final FeatureScaler scaler;
    /** Regression: the standardization of the targets; the identity for classification. */
    final FeatureScaler targetScaler;
    /** The features' names: the vector column's attribute names (a VectorAssembler's input columns), else x0, x1, ... */
    final List<String> featureNames;

    private TrainingData(JavaRDD<Block> blocks, int width, long rows, long validationRows, int classes,
                         List<String> classLabels, FeatureScaler scaler, FeatureScaler targetScaler,
                         List<String> featureNames) {
        this.blocks = blocks;
        this.width = width;
        this.rows = rows;
        this.validationRows = validationRows;
        this.classes = classes;
        this.classLabels = classLabels;
        this.scaler = scaler;
        this.targetScaler = targetScaler;
        this.featureNames = featureNames;
    }

    /**
     * Reads {@code data}'s features and label columns.
     *
     * @param classification whether labels are class indices (whole numbers from 0) or regression targets
     * @param skipInvalid    whether invalid rows are dropped (counted and logged) rather than an error
     * @throws IllegalArgumentException for a missing column or one of the wrong type, a DataFrame without
     *                                  (valid) rows, fewer than two classes, or more classes than rows
     *                                  (or than {@link #MAX_CLASSES})
     */
    static TrainingData prepare(Dataset<?> data, String featuresCol, String labelCol, boolean classification,
                                FeatureScaler.Kind scaling, boolean skipInvalid, double validationFraction, long seed) {
        StructField featuresField = FeatureColumn.field(data.schema(), featuresCol, "features");
        FeatureColumn.checkType(data.schema(), featuresCol);
        StructField labelField = FeatureColumn.field(data.schema(), labelCol, "label");
        if (!(labelField.dataType() instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + labelCol + "' has type " + labelField.dataType().simpleString()
                    + "; it must be numeric" + (classification ? " (class indices 0, 1, ...: index string labels with a"
                    + " StringIndexer)" : ""));
        }
        FeatureColumn column = featureColumn(data, featuresField);
        int width = column.width;
        int knownClasses = -1;
        List<String> names = null;
        if (classification && Attribute.fromStructField(labelField) instanceof NominalAttribute nominal
                && nominal.getNumValues().isDefined()) {
            knownClasses = (Integer) nominal.getNumValues().get();
            if (knownClasses > MAX_CLASSES) {
                throw new IllegalArgumentException("label column '" + labelCol + "': its metadata names " + knownClasses
                        + " classes, more than the " + MAX_CLASSES + " the classifier accepts");
            }
            if (nominal.values().isDefined()) {
                names = List.of(nominal.values().get());
            }
        }
        JavaRDD<Block> raw = data.select(column(featuresCol), column(labelCol)).toJavaRDD()
                .mapPartitionsWithIndex(reader(column, labelCol, classification, knownClasses, skipInvalid,
                        validationFraction, seed), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            // One pass over the blocks: per partition the moments of features and labels, merged in partition order.
            List<PartStats> parts = raw.map(b -> new PartStats(Moments.of(b.x, b.rows, width), Moments.of(b.y, b.rows, 1),
                    Moments.of(b.validationY, b.validationRows, 1), b.skipped)).collect();
            Moments x = new Moments(width);
            Moments y = new Moments(1);
            Moments validationY = new Moments(1);
            long skipped = 0;
            for (PartStats part : parts) {
                x.merge(part.x());
                y.merge(part.y());
                validationY.merge(part.validationY());
                skipped += part.skipped();
            }
            if (skipped > 0) {
                LOG.warn("backlane: skipped {} invalid rows (handleInvalid=skip)", skipped);
            }
            if (x.count == 0) {
                throw new IllegalArgumentException("the DataFrame has no " + (skipped > 0 ? "valid " : "")
                        + "rows to train on" + (skipped > 0 ? " (" + skipped + " invalid rows skipped)" : "")
                        + (validationY.count > 0 ? " (all " + validationY.count + " rows went to validation)" : ""));
            }
            int classes = 0;
            List<String> labels = List.of();
            if (classification) {
                // exact: every label read is a whole number below MAX_CLASSES (labelProblem), so exact as a float
                double maxLabel = Math.max(y.max[0], validationY.count > 0 ? validationY.max[0] : 0);
                classes = knownClasses >= 0 ? knownClasses : classCount(labelCol, maxLabel, x.count + validationY.count);
                if (classes < 2) {
                    throw new IllegalArgumentException("label column '" + labelCol + "' has only class 0;"
                            + " classification needs at least 2 classes");
                }
                double minLabel = Math.min(y.min[0], validationY.count > 0 ? validationY.min[0] : Double.POSITIVE_INFINITY);
                if (minLabel == maxLabel) { // all 1.0: two classes by the largest label, one in the data
                    throw new IllegalArgumentException("label column '" + labelCol + "' holds only class " + maxLabel
                            + " in its " + (x.count + validationY.count) + " rows; classification needs rows of at"
                            + " least 2 classes");
                }
                labels = names != null && names.size() == classes ? names : indexNames(classes);
            }
            FeatureScaler scaler = switch (scaling) {
                case NONE -> FeatureScaler.identity(width);
                case STANDARDIZE -> FeatureScaler.standardize(x.mean, x.variance());
                case MIN_MAX -> FeatureScaler.minMax(x.min, x.max);
            };
            FeatureScaler targetScaler = classification ? FeatureScaler.identity(1)
                    : FeatureScaler.standardize(y.mean, y.variance());
            int outputs = classification && classes > 2 ? classes : 1;
            ScalerSpec features = new ScalerSpec(scaler);      // FeatureScaler is not Serializable
            ScalerSpec targets = new ScalerSpec(targetScaler);
            JavaRDD<Block> blocks = raw.map(b -> encode(b, features.scaler(), targets.scaler(), outputs))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            boolean ready = false;
            try {
                blocks.count();   // materialized before the raw blocks go
                TrainingData prepared = new TrainingData(blocks, width, x.count, validationY.count, classes, labels,
                        scaler, targetScaler, featureNames(featuresField, width));
                ready = true;
                return prepared;
            } finally {
                if (!ready) {     // a failed job (a partition too large, say) leaves no cached blocks behind
                    blocks.unpersist(false);
                }
            }
        } finally {
            raw.unpersist(false);
        }
    }

    /**
     * The class count the largest label implies when no metadata says. More classes than rows means
     * labels that are not class indices (identifiers, say): refused, rather than building an output
     * layer of that many units, most of them for classes without a single row.
     */
    private static int classCount(String labelCol, double maxLabel, long rows) {
        long classes = (long) maxLabel + 1;
        if (classes > rows) {
            throw new IllegalArgumentException("label column '" + labelCol + "': the largest label, " + (long) maxLabel
                    + ", makes " + classes + " classes, more than the " + rows + " rows; labels must be class indices"
                    + " 0, 1, ... (index other labels with a StringIndexer)");
        }
        return (int) classes;
    }

    /**
     * The features column's reader: its width from the vector column's metadata when it says, else
     * from the first non-null row (as the messages of rows of another width say).
     */
    private static FeatureColumn featureColumn(Dataset<?> data, StructField field) {
        if (field.dataType() instanceof VectorUDT) {
            int size = AttributeGroup.fromStructField(field).size();
            if (size >= 0) {
                return FeatureColumn.of(data.schema(), field.name(), size, "from the column's metadata");
            }
        }
        List<Row> first = data.select(column(field.name())).where(column(field.name()).isNotNull()).limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new IllegalArgumentException("the DataFrame has no rows to train on (features column '" + field.name()
                    + "' has no non-null value)");
        }
        return FeatureColumn.of(data.schema(), field.name(), FeatureColumn.widthOf(first.get(0), 0),
                "from the first non-null row");
    }

    /** The attribute names of a vector column when it has one distinct name per feature, else x0, x1, ... */
    static List<String> featureNames(StructField field, int width) {
        List<String> names = new ArrayList<>(width);
        if (field.dataType() instanceof VectorUDT) {
            scala.Option<Attribute[]> attributes = AttributeGroup.fromStructField(field).attributes();
            if (attributes.isDefined() && attributes.get().length == width) {
                for (Attribute a : attributes.get()) {
                    if (a.name().isDefined()) {
                        names.add(a.name().get());
                    }
                }
            }
        }
        if (names.size() != width || new java.util.HashSet<>(names).size() != width) {
            names.clear();
            for (int j = 0; j < width; j++) {
                names.add("x" + j);
            }
        }
        return names;
    }

    private static List<String> indexNames(int classes) {
        List<String> names = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            names.add(String.valueOf(c));
        }
        return names;
    }

    /**
     * The executors' half: reads one partition's rows (features, label) into a raw block whose y is the
     * label itself, drawing each row for validation with probability {@code validationFraction}
     * from a generator seeded by the seed and the partition index (so a partitioning draws the same rows
     * every time).
     */
    private static Function2<Integer, Iterator<Row>, Iterator<Block>> reader(FeatureColumn features, String labelCol,
            boolean classification, int knownClasses, boolean skipInvalid, double validationFraction, long seed) {
        return (partition, rows) -> {
            int w = features.width;
            FloatList x = new FloatList();
            FloatList y = new FloatList();
            FloatList vx = new FloatList();
            FloatList vy = new FloatList();
            float[] row = new float[w];
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + partition);
            long index = 0;
            long skipped = 0;
            while (rows.hasNext()) {
                Row r = rows.next();
                String problem = features.read(r, 0, row, 0);
                String column = "features column '" + features.name + "'";
                float label = 0;
                if (problem == null) {
                    column = "label column '" + labelCol + "'";
                    problem = labelProblem(r, classification, knownClasses);
                    if (problem == null) {
                        // through double: a class index (a whole number below MAX_CLASSES) is then exact as a float
                        label = (float) ((Number) r.get(1)).doubleValue();
                    }
                }
                if (problem != null) {
                    if (!skipInvalid) {
                        throw new IllegalArgumentException(column + ", row " + index + " of partition " + partition + ": "
                                + problem + " (handleInvalid=\"skip\" drops such rows)");
                    }
                    skipped++;
                } else if (validationFraction > 0 && random.nextDouble() < validationFraction) {
                    vx.add(row, w);
                    vy.add(label);
                } else {
                    x.add(row, w);
                    y.add(label);
                }
                index++;
            }
            return List.of(new Block(x.toArray(), y.toArray(), y.size(), vx.toArray(), vy.toArray(), vy.size(), skipped))
                    .iterator();
        };
    }

    /** What is wrong with the label in column 1 of {@code r}, or null. */
    private static String labelProblem(Row r, boolean classification, int knownClasses) {
        if (r.isNullAt(1)) {
            return "is null";
        }
        double v = ((Number) r.get(1)).doubleValue();
        if (!Double.isFinite(v)) {
            return "is " + v;
        }
        if (classification) {
            if (v < 0 || v != Math.rint(v)) {
                return "label " + v + " is not a class index (a whole number >= 0)";
            }
            if (v >= MAX_CLASSES) {
                return "label " + (v < 1e18 ? String.valueOf((long) v) : String.valueOf(v)) + " is beyond the largest"
                        + " class index the classifier accepts, " + (MAX_CLASSES - 1);
            }
            if (knownClasses >= 0 && v >= knownClasses) {
                return "label " + (long) v + " is not one of the " + knownClasses + " classes its metadata names";
            }
        } else if (!Float.isFinite((float) v)) {
            return "is " + v + ", beyond the float range";
        }
        return null;
    }

    /** A training block from a raw one: features scaled, labels encoded as the network's targets. */
    private static Block encode(Block raw, FeatureScaler scaler, FeatureScaler targetScaler, int outputs) {
        return new Block(scaled(raw.x, raw.rows, scaler), targets(raw.y, raw.rows, targetScaler, outputs), raw.rows,
                scaled(raw.validationX, raw.validationRows, scaler),
                targets(raw.validationY, raw.validationRows, targetScaler, outputs), raw.validationRows, 0);
    }

    private static float[] scaled(float[] x, int rows, FeatureScaler scaler) {
        float[] copy = x.clone();   // a cached block is never written
        scaler.apply(copy, 0, rows);
        return copy;
    }

    /** One-hot rows for several outputs; the label itself (class 0 or 1, or the scaled target) for one. */
    private static float[] targets(float[] labels, int rows, FeatureScaler targetScaler, int outputs) {
        if (outputs == 1) {
            float[] y = labels.clone();
            targetScaler.apply(y, 0, rows);
            return y;
        }
        long size = (long) rows * outputs;   // rows up to 2^31 times classes up to 2^16: long
        if (size > FloatList.MAX_FLOATS) {
            throw new IllegalArgumentException("a partition's " + rows + " rows of " + outputs + " one-hot targets need "
                    + size + " floats, more than one Java array holds; repartition the DataFrame into more partitions");
        }
        float[] y = new float[(int) size];
        for (int i = 0; i < rows; i++) {
            y[i * outputs + (int) labels[i]] = 1f;
        }
        return y;
    }

    /** A feature scaler as its kind, shifts and scales: what executors need to make it. */
    private record ScalerSpec(FeatureScaler.Kind kind, float[] shift, float[] scale) implements java.io.Serializable {
        ScalerSpec(FeatureScaler s) {
            this(s.kind(), s.shift(), s.scale());
        }

        FeatureScaler scaler() {
            return new FeatureScaler(kind, shift, scale);
        }
    }

    /** One partition's moments of features, labels and validation labels, and its skipped rows. */
    private record PartStats(Moments x, Moments y, Moments validationY, long skipped) implements java.io.Serializable {
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }

    /**
     * A column by its name as the schema has it: quoted, since Spark reads an unquoted "f.x" as
     * field x of a struct f (transformSchema, which matches names exactly, had accepted it).
     */
    private static org.apache.spark.sql.Column column(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
