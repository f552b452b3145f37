package io.backlane.data;

import io.backlane.nn.FeatureScaler;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory table of {@code rows()} examples with {@code width()} numeric features each, plus
 * optional targets: class indices (classification), real values (regression) or none (inputs to
 * predict on).
 *
 * <h2>Layout</h2>
 * Features are one row-major {@code float[]} of length {@code rows() * width()}: feature {@code j}
 * of example {@code i} is at index {@code i * width() + j}. This is the layout the training code
 * feeds to matrix kernels, so a mini-batch of consecutive rows is a contiguous slice.
 * Classification targets are an {@code int[]} of class indices {@code 0 .. classCount() - 1} whose
 * names are {@link #classLabels()} (index {@code k} names class {@code k}); regression targets are a
 * {@code float[]} with one value per row, named {@link #targetName()}.
 *
 * <h2>Immutability</h2>
 * A dataset never changes after construction. Arrays passed to the public factories and returned by
 * accessors are copied, so callers can neither alter a dataset nor be surprised by one;
 * {@link #copyFeatures} and {@link #oneHotTargets} write into caller-provided arrays instead.
 *
 * <pre>{@code
 * Dataset d = BundledDatasets.load("digits");     // 1797 x 64, 10 classes
 * float[] x = d.features();                        // one copy, row-major
 * float[] y = new float[d.rows() * d.classCount()];
 * d.oneHotTargets(y);                              // rows x classes, row-major
 * Dataset firstTen = d.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
 * }</pre>
 */
public final class Dataset {
    /** What the targets of a dataset are. */
    public enum TargetKind {
        /** Class indices with class labels. */
        CLASSES,
        /** One real value per row. */
        VALUES,
        /** No targets: inputs to predict on. */
        NONE
    }

    private final String source;
    private final List<String> featureNames;
    private final float[] features;
    private final int rows;
    private final int width;
    private final TargetKind kind;
    private final int[] classIndices;      // CLASSES only
    private final List<String> classLabels; // CLASSES only, else empty
    private final float[] values;          // VALUES only
    private final String targetName;       // CLASSES and VALUES; null for NONE

    /** Takes ownership of the arrays: only for callers in this package that built them afresh. */
    Dataset(String source, List<String> featureNames, float[] features, int rows, TargetKind kind,
            int[] classIndices, List<String> classLabels, float[] values, String targetName) {
        this.source = source == null ? "<memory>" : source;
        if (featureNames == null || featureNames.isEmpty()) {
            throw new IllegalArgumentException("a dataset needs at least one feature name");
        }
        this.featureNames = List.copyOf(featureNames);
        if (new HashSet<>(this.featureNames).size() != this.featureNames.size()) {
            throw new IllegalArgumentException("feature names must be distinct: " + this.featureNames);
        }
        this.width = this.featureNames.size();
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (features == null || (long) rows * width != features.length) {
            throw new IllegalArgumentException("features must hold rows x width = " + rows + " x " + width
                    + " values, got " + (features == null ? "null" : features.length));
        }
        this.rows = rows;
        this.features = features;
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        this.kind = kind;
        switch (kind) {
            case CLASSES -> {
                if (classLabels == null || classLabels.isEmpty()) {
                    throw new IllegalArgumentException("classification needs at least one class label");
                }
                this.classLabels = List.copyOf(classLabels);
                if (new HashSet<>(this.classLabels).size() != this.classLabels.size()) {
                    throw new IllegalArgumentException("class labels must be distinct: " + this.classLabels);
                }
                if (classIndices == null || classIndices.length != rows) {
                    throw new IllegalArgumentException("need one class index per row (" + rows + ")");
                }
                for (int i = 0; i < rows; i++) {
                    if (classIndices[i] < 0 || classIndices[i] >= this.classLabels.size()) {
                        throw new IllegalArgumentException("row " + i + ": class index " + classIndices[i]
                                + " outside 0.." + (this.classLabels.size() - 1));
                    }
                }
                this.classIndices = classIndices;
                this.values = null;
                this.targetName = targetName == null ? "class" : targetName;
            }
            case VALUES -> {
                if (values == null || values.length != rows) {
                    throw new IllegalArgumentException("need one target value per row (" + rows + ")");
                }
                for (int i = 0; i < rows; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new IllegalArgumentException("row " + i + ": target " + values[i] + " is not finite");
                    }
                }
                this.values = values;
                this.classIndices = null;
                this.classLabels = List.of();
                this.targetName = targetName == null ? "target" : targetName;
            }
            default -> {
                this.classIndices = null;
                this.values = null;
                this.classLabels = List.of();
                this.targetName = null;
            }
        }
    }

    /**
     * A classification dataset (arrays are copied).
     *
     * @param featureNames one distinct name per feature; its size is the width
     * @param features     rows x width values, row-major
     * @param classIndices one class index per row, each in {@code 0 .. classLabels.size() - 1}
     * @param classLabels  distinct class names, by class index
     * @param targetName   name of the label column (for messages and files), or null for "class"
     */
    public static Dataset classification(List<String> featureNames, float[] features, int[] classIndices,
                                         List<String> classLabels, String targetName) {
        return new Dataset(null, featureNames, copy(features), rowsOf(features, featureNames),
                TargetKind.CLASSES, classIndices == null ? null : classIndices.clone(), classLabels, null, targetName);
    }

    /** A regression dataset (arrays are copied); see {@link #classification} for the layout. */
    public static Dataset regression(List<String> featureNames, float[] features, float[] targets,
                                     String targetName) {
        return new Dataset(null, featureNames, copy(features), rowsOf(features, featureNames),
                TargetKind.VALUES, null, null, targets == null ? null : targets.clone(), targetName);
    }

    /** A dataset without targets (inputs to predict on); arrays are copied. */
    public static Dataset unlabeled(List<String> featureNames, float[] features) {
        return new Dataset(null, featureNames, copy(features), rowsOf(features, featureNames),
                TargetKind.NONE, null, null, null, null);
    }

    private static float[] copy(float[] a) {
        return a == null ? null : a.clone();
    }

    private static int rowsOf(float[] features, List<String> featureNames) {
        if (features == null || featureNames == null || featureNames.isEmpty()) {
            return 0; // the constructor reports the actual problem
        }
        return features.length / featureNames.size();
    }

    /** Where the data came from (a file name, {@code <stdin>}, or {@code <memory>}). */
    public String source() {
        return source;
    }

    /** The number of examples. */
    public int rows() {
        return rows;
    }

    /** The number of features per example. */
    public int width() {
        return width;
    }

    /** Feature names, by column (an unmodifiable list of size {@link #width()}). */
    public List<String> featureNames() {
        return featureNames;
    }

    /** What the targets are. */
    public TargetKind targetKind() {
        return kind;
    }

    /** Whether the targets are class indices. */
    public boolean isClassification() {
        return kind == TargetKind.CLASSES;
    }

    /** Whether the targets are real values. */
    public boolean isRegression() {
        return kind == TargetKind.VALUES;
    }

    /** Whether there are targets at all. */
    public boolean hasTargets() {
        return kind != TargetKind.NONE;
    }

    /** A copy of all features, rows x width, row-major; call once and keep it, it is not a view. */
    public float[] features() {
        return features.clone();
    }

    /** Feature {@code col} of example {@code row}. */
    public float feature(int row, int col) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(col, width);
        return features[row * width + col];
    }

    /** A copy of the features of example {@code row} (allocates; see {@link #copyFeatures} for a buffer of yours). */
    public float[] features(int row) {
        Objects.checkIndex(row, rows);
        return Arrays.copyOfRange(features, row * width, (row + 1) * width);
    }

    /** Copies the features of one example into {@code dst[dstOff .. dstOff + width())}. */
    public void copyFeatures(int row, float[] dst, int dstOff) {
        Objects.checkIndex(row, rows);
        if (dst == null || dstOff < 0 || (long) dstOff + width > dst.length) {
            throw new IllegalArgumentException("dst must hold " + width + " features from " + dstOff + ", got "
                    + (dst == null ? "null" : "length " + dst.length));
        }
        System.arraycopy(features, row * width, dst, dstOff, width);
    }

    /** The number of classes (the size of {@link #classLabels()}); 0 unless classification. */
    public int classCount() {
        return classLabels.size();
    }

    /** Class names by class index (unmodifiable); empty unless classification. */
    public List<String> classLabels() {
        return classLabels;
    }

    /** Name of the target (label) column; null when there are no targets. */
    public String targetName() {
        return targetName;
    }

    /** A copy of the class index of every row. */
    public int[] classIndices() {
        requireKind(TargetKind.CLASSES);
        return classIndices.clone();
    }

    /** The class index of one row. */
    public int classIndex(int row) {
        requireKind(TargetKind.CLASSES);
        return classIndices[Objects.checkIndex(row, rows)];
    }

    /** How many rows each class has, by class index. */
    public int[] classCounts() {
        requireKind(TargetKind.CLASSES);
        int[] counts = new int[classLabels.size()];
        for (int c : classIndices) {
            counts[c]++;
        }
        return counts;
    }

    /**
     * Writes the one-hot targets of all rows into {@code dst} as rows x classCount() values,
     * row-major (1 in the column of the row's class, 0 elsewhere); {@code dst} must have exactly
     * that length so that a wrong buffer is caught rather than half filled.
     */
    public void oneHotTargets(float[] dst) {
        requireKind(TargetKind.CLASSES);
        if (dst == null || dst.length != (long) rows * classLabels.size()) {
            throw new IllegalArgumentException("dst has " + (dst == null ? "no" : dst.length) + " values; one-hot targets need rows x classes = "
                    + rows + " x " + classLabels.size());
        }
        Preprocessing.oneHot(classIndices, classLabels.size(), dst);
    }

    /** A copy of the regression targets, one per row. */
    public float[] targets() {
        requireKind(TargetKind.VALUES);
        return values.clone();
    }

    /** The regression target of one row. */
    public float target(int row) {
        requireKind(TargetKind.VALUES);
        return values[Objects.checkIndex(row, rows)];
    }

    /**
     * A new dataset with the given rows, in the given order (repeats allowed), keeping feature
     * names, class labels (all of them, even those no longer present, so that class indices stay
     * comparable across splits) and target name.
     */
    public Dataset subset(int[] rowIndices) {
        if (rowIndices == null || (long) rowIndices.length * width > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("rowIndices must be non-null and select rows that fit in one float array, got "
                    + (rowIndices == null ? "null" : rowIndices.length + " rows of " + width));
        }
        int n = rowIndices.length;
        float[] x = new float[n * width];
        for (int i = 0; i < n; i++) {
            int r = Objects.checkIndex(rowIndices[i], rows);
            System.arraycopy(features, r * width, x, i * width, width);
        }
        int[] c = null;
        float[] v = null;
        if (kind == TargetKind.CLASSES) {
            c = new int[n];
            for (int i = 0; i < n; i++) {
                c[i] = classIndices[rowIndices[i]];
            }
        } else if (kind == TargetKind.VALUES) {
            v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = values[rowIndices[i]];
            }
        }
        return new Dataset(source, featureNames, x, n, kind, c, classLabels, v, targetName);
    }

    /**
     * A new dataset whose features are transformed by {@code scaler} (which must have this
     * dataset's width); targets are shared, this dataset is unchanged.
     *
     * @throws IllegalArgumentException if the widths differ, or a feature overflows the float range
     *                                  when scaled (a value far from those the scaler was fitted on),
     *                                  naming its column and value
     */
    public Dataset scaled(FeatureScaler scaler) {
        if (scaler == null) {
            throw new IllegalArgumentException("scaler must not be null");
        }
        if (scaler.width() != width) {
            throw new IllegalArgumentException("scaler has " + scaler.width() + " features, dataset " + source
                    + " has " + width);
        }
        float[] x = features.clone();
        scaler.apply(x, 0, rows);
        for (int k = 0; k < x.length; k++) {
            if (!Float.isFinite(x[k])) { // finite features far from the rest: (3e38 − mean)·scale overflows
                int j = k % width;
                throw new IllegalArgumentException(source + ", column " + (j + 1) + " \"" + featureNames.get(j)
                        + "\": the value " + features[k] + " becomes " + x[k] + " when scaled (" + scaler.kind()
                        + ", shift " + scaler.shift()[j] + ", scale " + scaler.scale()[j] + "): it is too far from"
                        + " the column's other values to train on; remove it or rescale the column");
            }
        }
        return new Dataset(source, featureNames, x, rows, kind, classIndices, classLabels, values, targetName);
    }

    /**
     * The same data with other names for the classes (same count, same order), for example
     * {@link IdxLoader#FASHION_MNIST_CLASS_NAMES} instead of the digits "0".."9".
     */
    public Dataset withClassLabels(List<String> newLabels) {
        requireKind(TargetKind.CLASSES);
        if (newLabels == null || newLabels.size() != classLabels.size()) {
            throw new IllegalArgumentException("need " + classLabels.size() + " class labels, got "
                    + (newLabels == null ? "null" : newLabels.size()));
        }
        return new Dataset(source, featureNames, features, rows, kind, classIndices, newLabels, values, targetName);
    }

    /** The same features without targets (as predict-time input would be). */
    public Dataset withoutTargets() {
        return new Dataset(source, featureNames, features, rows, TargetKind.NONE, null, null, null, null);
    }

    private void requireKind(TargetKind wanted) {
        if (kind != wanted) {
            throw new IllegalStateException(source + ": the dataset has targets of kind " + kind + ", not " + wanted);
        }
    }

    @Override
    public String toString() {
        String t = switch (kind) {
            case CLASSES -> ", " + classLabels.size() + " classes in \"" + targetName + "\"";
            case VALUES -> ", regression target \"" + targetName + "\"";
            case NONE -> ", no targets";
        };
        return "Dataset[" + source + ": " + rows + " x " + width + t + "]";
    }
}
