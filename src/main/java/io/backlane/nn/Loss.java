package io.backlane.nn;

import io.backlane.kernel.KernelProvider;
import io.backlane.kernel.Kernels;

/**
 * The loss L(a, y) of one example; the cost J is its mean over the m examples of a batch, plus
 * (λ/2m)·Σ‖W[l]‖² when L2 regularization is on (docs/backpropagation.md).
 *
 * <p>Each loss is paired with the output activation that makes its gradient with respect to the
 * output pre-activation the simple dZ[L] = A[L] − Y. The cross-entropies are computed from the
 * logits Z[L], never from log(A), so that a saturated output gives a large finite loss instead of
 * infinity.
 *
 * <pre>{@code
 * double mean = Loss.CATEGORICAL_CROSS_ENTROPY.sum(logits, outputs, targets, 0, m, 10) / m;
 * }</pre>
 */
public enum Loss {
    /**
     * Binary cross-entropy for a sigmoid output (one or more independent outputs in [0, 1]), from
     * the logit z: L = Σ_j max(z,0) − z·y + log(1 + e^−|z|).
     */
    BINARY_CROSS_ENTROPY,
    /**
     * Categorical cross-entropy for a softmax output, with targets one-hot (or a distribution), from
     * the logits: L = −Σ_j y_j log a_j = −Σ_j y_j (z_j − logsumexp(z)).
     */
    CATEGORICAL_CROSS_ENTROPY,
    /**
     * Half squared error, L = ½ Σ_j (a_j − y_j)², for regression; with an identity output
     * dZ = A − Y. With another output activation the gradient is (A − Y) ⊙ g'.
     */
    MEAN_SQUARED_ERROR;

    /** The scalar kernels: their binary cross-entropy is the double-precision one, term by term. */
    private static final Kernels DOUBLE_PRECISION = KernelProvider.scalar();

    /**
     * Σ over m rows of L(a, y), in double precision: from the logits {@code z} (cross-entropies) or
     * the outputs {@code a} (squared error), both m × width row-major from offset 0, against the
     * targets {@code y} from {@code yOff}. Divide by m for the mean. Allocates nothing.
     */
    public double sum(float[] z, float[] a, float[] y, int yOff, int m, int width) {
        return sum(z, 0, a, 0, y, yOff, m, width);
    }

    /** As {@link #sum(float[], float[], float[], int, int, int)}, with z and a from offset {@code off}. */
    public double sum(float[] z, int off, float[] a, float[] y, int yOff, int m, int width) {
        return sum(z, off, a, off, y, yOff, m, width);
    }

    /**
     * As {@link #sum(float[], int, float[], float[], int, int, int)}, with the binary cross-entropy
     * computed by {@code k} ({@link Kernels#binaryCrossEntropy}: each term in float by the vector
     * kernels, a few ulps from the exact term): what training and evaluation report.
     */
    public double sum(Kernels k, float[] z, int off, float[] a, float[] y, int yOff, int m, int width) {
        if (this != BINARY_CROSS_ENTROPY) {
            return sum(z, off, a, off, y, yOff, m, width);
        }
        if (z == null || y == null) {
            throw new IllegalArgumentException("z and y must not be null");
        }
        long size = (long) m * width;
        if (m < 0 || width < 1 || off < 0 || off + size > z.length || yOff < 0 || yOff + size > y.length) {
            throw new IllegalArgumentException("need " + m + " rows of " + width + " values in z (length " + z.length
                    + ", from " + off + ") and y (length " + y.length + ", from " + yOff + ")");
        }
        return k.binaryCrossEntropy((int) size, z, off, y, yOff);
    }

    private double sum(float[] z, int zOff, float[] a, int aOff, float[] y, int yOff, int m, int width) {
        if (z == null || a == null || y == null) {
            throw new IllegalArgumentException("z, a and y must not be null");
        }
        long size = (long) m * width;
        if (m < 0 || width < 1 || zOff < 0 || aOff < 0 || zOff + size > z.length || aOff + size > a.length
                || yOff < 0 || yOff + size > y.length) {
            throw new IllegalArgumentException("need " + m + " rows of " + width + " values in z (length " + z.length
                    + ", from offset " + zOff + "), a (length " + a.length + ", from offset " + aOff
                    + ") and y (length " + y.length + ", from offset " + yOff + ")");
        }
        double sum = 0;
        switch (this) {
            case CATEGORICAL_CROSS_ENTROPY -> {
                for (int row = 0; row < size; row += width) {
                    int zRow = zOff + row;
                    float max = z[zRow];
                    for (int j = 1; j < width; j++) {
                        max = Math.max(max, z[zRow + j]);
                    }
                    double s = 0;
                    for (int j = 0; j < width; j++) {
                        s += Math.exp(z[zRow + j] - max);
                    }
                    double lse = max + Math.log(s);
                    for (int j = 0; j < width; j++) {
                        float yj = y[yOff + row + j];
                        if (yj != 0f) {
                            sum -= yj * (z[zRow + j] - lse);
                        }
                    }
                }
            }
            case BINARY_CROSS_ENTROPY -> sum = DOUBLE_PRECISION.binaryCrossEntropy((int) size, z, zOff, y, yOff);
            case MEAN_SQUARED_ERROR -> {
                for (int t = 0; t < size; t++) {
                    double d = a[aOff + t] - y[yOff + t];
                    sum += d * d;
                }
                sum *= 0.5;
            }
        }
        return sum;
    }
}
