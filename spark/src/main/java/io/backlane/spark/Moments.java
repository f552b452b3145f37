package io.backlane.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-column count, mean, sum of squared deviations (M2), minimum and maximum of some rows, in
 * double precision: what a feature scaler and the class count need. Each partition computes its own
 * (two passes over its floats), and the driver merges them in partition order with Chan et al.'s
 * pairwise update, which stays accurate where a sum of squares minus a squared sum would cancel.
 */
final class Moments implements Serializable {
    private static final long serialVersionUID = 1L;

    long count;
    final double[] mean;
    final double[] m2;
    final float[] min;
    final float[] max;

    Moments(int width) {
        mean = new double[width];
        m2 = new double[width];
        min = new float[width];
        max = new float[width];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /** The moments of {@code rows} rows of {@code width} values in {@code x}, row-major. */
    static Moments of(float[] x, int rows, int width) {
        Moments m = new Moments(width);
        m.count = rows;
        if (rows == 0) {
            return m;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                float v = x[i * width + j];
                m.mean[j] += v;
                m.min[j] = Math.min(m.min[j], v);
                m.max[j] = Math.max(m.max[j], v);
            }
        }
        for (int j = 0; j < width; j++) {
            m.mean[j] /= rows;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                double d = x[i * width + j] - m.mean[j];
                m.m2[j] += d * d;
            }
        }
        return m;
    }

    /** Adds {@code other}'s rows to these. */
    void merge(Moments other) {
        if (other.count == 0) {
            return;
        }
        long n = count + other.count;
        for (int j = 0; j < mean.length; j++) {
            double delta = other.mean[j] - mean[j];
            mean[j] += delta * other.count / n;
            m2[j] += other.m2[j] + delta * delta * ((double) count * other.count / n);
            min[j] = Math.min(min[j], other.min[j]);
            max[j] = Math.max(max[j], other.max[j]);
        }
        count = n;
    }

    /** The population variances (M2 / count). */
    double[] variance() {
        double[] v = new double[m2.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = count == 0 ? 0 : m2[j] / count;
        }
        return v;
    }
}
