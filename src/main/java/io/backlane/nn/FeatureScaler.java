package io.backlane.nn;

import java.util.Arrays;

/**
 * A per-feature affine transform x' = (x − shift[j]) · scale[j], fitted on the training split only
 * and stored with the model so that prediction applies the same transform.
 *
 * <ul>
 *   <li>{@link Kind#STANDARDIZE}: shift = mean, scale = 1 / standard deviation (1 when it is 0, below
 *       1e-9 of the mean's magnitude, or too small for its reciprocal to be a float);</li>
 *   <li>{@link Kind#MIN_MAX}: shift = min, scale = 1 / (max − min) (1 when max = min, or when {@link #fit}
 *       finds max − min too small for its reciprocal to be a float);</li>
 *   <li>{@link Kind#NONE}: shift 0, scale 1.</li>
 * </ul>
 */
public final class FeatureScaler {
    /** The kinds of transform. */
    public enum Kind { NONE, STANDARDIZE, MIN_MAX }

    private final Kind kind;
    private final float[] shift;
    private final float[] scale;
    private final boolean identity; // shift 0 and scale 1 everywhere: asked on every prediction, so known once

    /** A transform with explicit parameters (for example read from a model file). */
    public FeatureScaler(Kind kind, float[] shift, float[] scale) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (shift == null || scale == null || shift.length != scale.length) {
            throw new IllegalArgumentException("shift and scale must be non-null and of equal length");
        }
        for (int j = 0; j < shift.length; j++) {
            if (!Float.isFinite(shift[j]) || !Float.isFinite(scale[j])) {
                throw new IllegalArgumentException("feature " + j + ": shift and scale must be finite, got "
                        + shift[j] + " and " + scale[j]);
            }
        }
        this.kind = kind;
        this.shift = shift.clone();
        this.scale = scale.clone();
        boolean same = true;
        for (int j = 0; j < shift.length; j++) {
            same &= shift[j] == 0f && scale[j] == 1f;
        }
        this.identity = same;
    }

    private void checkRows(String name, float[] x, int offset, int rows) {
        if (x == null || offset < 0 || rows < 0 || offset + (long) rows * shift.length > x.length) {
            throw new IllegalArgumentException(name + " must hold " + rows + " rows of " + shift.length + " features from "
                    + offset + ", got " + (x == null ? "null" : "length " + x.length));
        }
    }

    /** The identity transform on {@code width} features. */
    public static FeatureScaler identity(int width) {
        if (width < 0) {
            throw new IllegalArgumentException("width must be >= 0, got " + width);
        }
        float[] ones = new float[width];
        Arrays.fill(ones, 1f);
        return new FeatureScaler(Kind.NONE, new float[width], ones);
    }

    /**
     * Fits a transform of the given kind on {@code rows} examples of {@code width} features stored
     * row-major in {@code x} (statistics in double precision).
     */
    public static FeatureScaler fit(Kind kind, float[] x, int rows, int width) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (x == null || rows < 1 || width < 1 || (long) rows * width > x.length) {
            throw new IllegalArgumentException("x must hold rows x width = " + rows + " x " + width + " values");
        }
        if (kind == Kind.NONE) {
            return identity(width);
        }
        if (kind == Kind.STANDARDIZE) {
            double[] mean = new double[width];
            double[] variance = new double[width];
            for (int j = 0; j < width; j++) {
                double sum = 0;
                for (int i = 0; i < rows; i++) {
                    sum += x[i * width + j];
                }
                mean[j] = sum / rows;
                double sq = 0;
                for (int i = 0; i < rows; i++) {
                    double d = x[i * width + j] - mean[j];
                    sq += d * d;
                }
                variance[j] = sq / rows;
            }
            return standardize(mean, variance);
        }
        float[] min = new float[width];
        float[] max = new float[width];
        for (int j = 0; j < width; j++) {
            min[j] = Float.POSITIVE_INFINITY;
            max[j] = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < rows; i++) {
                float v = x[i * width + j];
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
            if (Float.isInfinite((float) (1.0 / ((double) max[j] - min[j])))) {
                max[j] = min[j]; // a range too small to divide by (0 and 1e-45): constant, scale 1
            }
        }
        return minMax(min, max);
    }

    /**
     * {@link Kind#STANDARDIZE} from per-feature means and population variances computed elsewhere
     * (by {@link #fit}, or over data too large for one machine): shift = mean, scale = 1 / standard
     * deviation (1 when it is 0).
     *
     * @throws IllegalArgumentException when an array is null or their lengths differ, a variance is
     *                                  negative or NaN, or a mean is not finite as a float
     */
    public static FeatureScaler standardize(double[] mean, double[] variance) {
        if (mean == null || variance == null || mean.length != variance.length) {
            throw new IllegalArgumentException("mean and variance must be non-null and of equal length");
        }
        float[] shift = new float[mean.length];
        float[] scale = new float[mean.length];
        for (int j = 0; j < mean.length; j++) {
            if (!(variance[j] >= 0)) {
                throw new IllegalArgumentException("feature " + j + ": variance must be >= 0, got " + variance[j]);
            }
            double std = Math.sqrt(variance[j]);
            shift[j] = (float) mean[j];
            // Constant: no spread, or one that is rounding in the statistics (below 1e-9 of the mean: a
            // float holds 7 digits), or too small for its reciprocal to be a float. Not an absolute
            // threshold: data in units of 1e-14 have a spread of that size, and are not constant.
            boolean constant = !(std > 1e-9 * Math.abs(mean[j])) || std == 0 || Float.isInfinite((float) (1.0 / std));
            scale[j] = constant ? 1f : (float) (1.0 / std);
        }
        return new FeatureScaler(Kind.STANDARDIZE, shift, scale);
    }

    /**
     * {@link Kind#MIN_MAX} from per-feature minima and maxima computed elsewhere: shift = min,
     * scale = 1 / (max − min) (1 when max = min).
     *
     * @throws IllegalArgumentException when an array is null or their lengths differ, a maximum is
     *                                  below its minimum (or either is NaN), a minimum is infinite, or
     *                                  max − min is so small that its reciprocal overflows a float
     */
    public static FeatureScaler minMax(float[] min, float[] max) {
        if (min == null || max == null || min.length != max.length) {
            throw new IllegalArgumentException("min and max must be non-null and of equal length");
        }
        float[] scale = new float[min.length];
        for (int j = 0; j < min.length; j++) {
            if (!(max[j] >= min[j])) {
                throw new IllegalArgumentException("feature " + j + ": max must be >= min, got " + max[j] + " < " + min[j]);
            }
            scale[j] = max[j] > min[j] ? (float) (1.0 / ((double) max[j] - min[j])) : 1f;
        }
        return new FeatureScaler(Kind.MIN_MAX, min, scale);
    }

    public Kind kind() {
        return kind;
    }

    public int width() {
        return shift.length;
    }

    /** A copy of the shifts. */
    public float[] shift() {
        return shift.clone();
    }

    /** A copy of the scales. */
    public float[] scale() {
        return scale.clone();
    }

    /** Transforms {@code rows} examples of {@link #width()} features in place; allocates nothing. */
    public void apply(float[] x, int offset, int rows) {
        checkRows("x", x, offset, rows);
        int w = shift.length;
        for (int i = 0; i < rows; i++) {
            int row = offset + i * w;
            for (int j = 0; j < w; j++) {
                x[row + j] = (x[row + j] - shift[j]) * scale[j];
            }
        }
    }

    /**
     * Undoes the transform on {@code rows} rows of {@link #width()} values in place, x = x'/scale + shift:
     * for example a regression model's outputs, trained on standardized targets, back in the
     * targets' units. Allocates nothing.
     */
    public void invert(float[] x, int offset, int rows) {
        checkRows("x", x, offset, rows);
        int w = shift.length;
        for (int i = 0; i < rows; i++) {
            int row = offset + i * w;
            for (int j = 0; j < w; j++) {
                x[row + j] = x[row + j] / scale[j] + shift[j];
            }
        }
    }

    /** Whether this transform changes nothing (shift 0 and scale 1 everywhere). */
    public boolean isIdentity() {
        return identity;
    }

    /** Transforms one example from {@code src} into {@code dst} (which may be src); allocates nothing. */
    public void apply(float[] src, int srcOff, float[] dst, int dstOff) {
        checkRows("src", src, srcOff, 1);
        checkRows("dst", dst, dstOff, 1);
        for (int j = 0; j < shift.length; j++) {
            dst[dstOff + j] = (src[srcOff + j] - shift[j]) * scale[j];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureScaler f && f.kind == kind && Arrays.equals(f.shift, shift) && Arrays.equals(f.scale, scale);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(shift)) + Arrays.hashCode(scale);
    }
}
