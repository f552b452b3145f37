package io.backlane.kernel;

/**
 * Textbook double-precision versions of every kernel, written straight from the definitions in
 * {@link Kernels} and sharing no code with the implementations they check. Each writes its result,
 * rounded to float, into its destination array; nothing here is blocked, vectorized or clever.
 */
final class NaiveReference {
    private NaiveReference() {
    }

    /** C = alpha·op(A)·op(B) + beta·C by the triple loop; C is not read when beta is 0. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += aip * bpj;
                }
                int idx = cOff + i * ldc + j;
                double result = alpha * sum;
                if (beta != 0f) {
                    result += (double) beta * c[idx];
                }
                c[idx] = (float) result;
            }
        }
    }

    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (y[yOff + i] + (double) alpha * x[xOff + i]);
        }
    }

    static void scale(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] = (float) ((double) alpha * x[xOff + i]);
        }
    }

    static double sumOfSquares(int n, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[xOff + i] * x[xOff + i];
        }
        return s;
    }

    static void hadamard(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = (float) ((double) x[xOff + i] * y[yOff + i]);
        }
    }

    static void addBiasRows(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                c[cOff + i * cols + j] = (float) ((double) c[cOff + i * cols + j] + bias[biasOff + j]);
            }
        }
    }

    static void columnSums(int rows, int cols, float alpha, float[] a, int aOff, float beta, float[] dst, int dstOff) {
        columnSums(rows, cols, alpha, a, aOff, cols, beta, dst, dstOff);
    }

    static void columnSums(int rows, int cols, float alpha, float[] a, int aOff, int lda, float beta, float[] dst, int dstOff) {
        for (int j = 0; j < cols; j++) {
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                sum += a[aOff + i * lda + j];
            }
            double result = alpha * sum;
            if (beta != 0f) {
                result += (double) beta * dst[dstOff + j];
            }
            dst[dstOff + j] = (float) result;
        }
    }

    static double activation(Pointwise g, float param, double z) {
        return switch (g) {
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(0, z);
            case LEAKY_RELU -> z > 0 ? z : param * z;
            case IDENTITY -> z;
        };
    }

    /** g'(z) written in terms of the stored activation a = g(z). */
    static double derivativeFromOutput(Pointwise g, float param, double a) {
        return switch (g) {
            case SIGMOID -> a * (1 - a);
            case TANH -> 1 - a * a;
            case RELU -> a > 0 ? 1 : 0;
            case LEAKY_RELU -> a > 0 ? 1 : param;
            case IDENTITY -> 1;
        };
    }

    static void activate(Pointwise g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = (float) activation(g, param, src[srcOff + i]);
        }
    }

    static void activateBackward(Pointwise g, float param, int n, float[] dA, int dAOff,
                                 float[] a, int aOff, float[] dZ, int dZOff) {
        for (int i = 0; i < n; i++) {
            dZ[dZOff + i] = (float) (dA[dAOff + i] * derivativeFromOutput(g, param, a[aOff + i]));
        }
    }

    static void softmaxRows(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        double[] e = new double[cols];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, src[srcOff + row + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                e[j] = Math.exp(src[srcOff + row + j] - max);
                sum += e[j];
            }
            for (int j = 0; j < cols; j++) {
                dst[dstOff + row + j] = (float) (e[j] / sum);
            }
        }
    }
}
