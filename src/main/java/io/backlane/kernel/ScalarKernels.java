package io.backlane.kernel;

/**
 * Plain-Java kernels: always available, used when the Vector API is not (or when
 * {@code -Dbacklane.vector=false}), and the baseline the vector kernels are compared against. Loops
 * are kept simple so that C2 can auto-vectorize them; the readable double-precision reference that
 * checks them lives in the tests ({@code NaiveReference}).
 */
final class ScalarKernels extends Kernels {
    private static final ScalarGemm GEMM = new ScalarGemm();

    ScalarKernels() {
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public boolean isVectorized() {
        return false;
    }

    @Override
    BlockedGemm engine() {
        return GEMM;
    }

    @Override
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        GEMM.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    @Override
    void axpyUnchecked(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        GEMM.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    void scaleUnchecked(int n, float alpha, float[] x, int xOff) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }

    @Override
    double binaryCrossEntropyUnchecked(int n, float[] z, int zOff, float[] y, int yOff) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += binaryCrossEntropyTerm(z[zOff + i], y[yOff + i]);
        }
        return sum;
    }

    @Override
    double sumOfSquaresUnchecked(int n, float[] x, int xOff) {
        // A float squared is exact in double; four partial sums break the chain of dependent adds.
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            double v0 = x[xOff + i], v1 = x[xOff + i + 1], v2 = x[xOff + i + 2], v3 = x[xOff + i + 3];
            s0 += v0 * v0;
            s1 += v1 * v1;
            s2 += v2 * v2;
            s3 += v3 * v3;
        }
        for (; i < n; i++) {
            double v = x[xOff + i];
            s0 += v * v;
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    boolean allFiniteUnchecked(int n, float[] x, int xOff) {
        float s = 0f; // v − v is 0 for a finite v and NaN otherwise
        for (int i = 0; i < n; i++) {
            s += x[xOff + i] - x[xOff + i];
        }
        return s == 0f;
    }

    @Override
    void hadamardUnchecked(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = x[xOff + i] * y[yOff + i];
        }
    }

    @Override
    void addBiasRowsUnchecked(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff) {
        for (int i = 0, row = cOff; i < rows; i++, row += cols) {
            for (int j = 0; j < cols; j++) {
                c[row + j] += bias[biasOff + j];
            }
        }
    }

    @Override
    void columnSumsUnchecked(int rows, int cols, float alpha, float[] a, int aOff, int lda,
                             float beta, float[] dst, int dstOff) {
        // Row by row (contiguous, vectorizable) rather than column by column (strided); dst is the
        // accumulator, so beta is applied first and alpha folded into each row's contribution.
        Kernels.scaleMatrix(1, cols, beta, dst, dstOff, cols);
        for (int i = 0, row = aOff; i < rows; i++, row += lda) {
            GEMM.axpy(cols, alpha, a, row, dst, dstOff);
        }
    }

    @Override
    void activateUnchecked(Pointwise g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        switch (g) {
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Transcendentals.sigmoid(src[srcOff + i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Transcendentals.tanh(src[srcOff + i]);
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    // Math.max, like the vector MAX, lets NaN through instead of hiding it as 0.
                    dst[dstOff + i] = Math.max(src[srcOff + i], 0f);
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    float z = src[srcOff + i];
                    dst[dstOff + i] = z > 0f ? z : param * z;
                }
            }
            case IDENTITY -> System.arraycopy(src, srcOff, dst, dstOff, n);
        }
    }

    @Override
    void softmaxRowsUnchecked(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * cols;
            int d = dstOff + r * cols;
            float max = src[s];
            for (int j = 1; j < cols; j++) {
                max = Math.max(max, src[s + j]);
            }
            // After subtracting the maximum every exponent is <= 0: no overflow, and the sum is >= 1.
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                float e = Transcendentals.exp(src[s + j] - max);
                dst[d + j] = e;
                sum += e;
            }
            for (int j = 0; j < cols; j++) {
                dst[d + j] /= sum;
            }
        }
    }

    @Override
    void activateBackwardUnchecked(Pointwise g, float param, int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        switch (g) {
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    float ai = a[aOff + i];
                    dZ[dZOff + i] = dA[dAOff + i] * (ai * (1f - ai));
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    float ai = a[aOff + i];
                    dZ[dZOff + i] = dA[dAOff + i] * (1f - ai * ai);
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    dZ[dZOff + i] = a[aOff + i] > 0f ? dA[dAOff + i] : 0f;
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    float d = dA[dAOff + i];
                    dZ[dZOff + i] = a[aOff + i] > 0f ? d : param * d;
                }
            }
            case IDENTITY -> System.arraycopy(dA, dAOff, dZ, dZOff, n);
        }
    }
}
