package io.backlane.kernel;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One sgemm problem, run on random operands and checked against {@link NaiveReference#sgemm}.
 *
 * <p>The layout is made to catch indexing mistakes: with {@code padded}, every matrix sits at a
 * non-zero offset with a leading dimension larger than its row, and its array ends at most two
 * elements after the last one used. Everything of A and B outside the matrix is NaN, so a kernel
 * that reads outside the window poisons C; everything of C outside the window is random and must
 * come back bit-for-bit. When beta is 0 the window of C starts as NaN, which must not propagate.
 */
record GemmCase(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {

    /** The signature shared by {@link Kernels#sgemm} and the engine's packed and unpacked paths. */
    @FunctionalInterface
    interface Gemm {
        void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                 float beta, float[] c, int cOff, int ldc);
    }

    static final float[] ALPHAS = {1f, 0f, -0.5f, 2f};
    static final float[] BETAS = {0f, 1f, 0.3f};

    /** A case with transposes spelled as in BLAS, for example {@code "NT"} for A·Bᵀ. */
    static GemmCase of(String transposes, int m, int n, int k, float alpha, float beta) {
        return new GemmCase(transposes.charAt(0) == 'T', transposes.charAt(1) == 'T', m, n, k, alpha, beta);
    }

    /** The same shape with random transposes and alpha, beta drawn from {@link #ALPHAS} and {@link #BETAS}. */
    static GemmCase random(Random rnd, int m, int n, int k) {
        return new GemmCase(rnd.nextBoolean(), rnd.nextBoolean(), m, n, k,
                ALPHAS[rnd.nextInt(ALPHAS.length)], BETAS[rnd.nextInt(BETAS.length)]);
    }

    @Override
    public String toString() {
        return (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + " alpha=" + alpha + " beta=" + beta;
    }

    /** A rows×cols matrix stored at {@code off} with leading dimension {@code ld} inside {@code data}. */
    private record Stored(float[] data, int off, int ld, int rows, int cols) {
        /** Random values in [-1, 1), or NaN where asked: around the matrix, inside it, or both. */
        static Stored random(int rows, int cols, boolean padded, Random rnd, boolean nanAround, boolean nanInside) {
            int off = padded ? 1 + rnd.nextInt(8) : 0;
            int ld = Math.max(1, cols) + (padded ? 1 + rnd.nextInt(7) : 0);
            int end = rows == 0 || cols == 0 ? off : off + (rows - 1) * ld + cols;
            float[] data = new float[end + (padded ? rnd.nextInt(3) : 0)];
            for (int i = 0; i < data.length; i++) {
                data[i] = nanAround ? Float.NaN : 2 * rnd.nextFloat() - 1;
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    data[off + i * ld + j] = nanInside ? Float.NaN : 2 * rnd.nextFloat() - 1;
                }
            }
            return new Stored(data, off, ld, rows, cols);
        }

        double maxAbs() {
            double max = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, Math.abs(data[off + i * ld + j]));
                }
            }
            return max;
        }
    }

    /** Runs {@code gemm} on fresh random operands and checks C, and that A and B were only read. */
    void check(Gemm gemm, Random rnd, boolean padded) {
        Stored a = Stored.random(transA ? k : m, transA ? m : k, padded, rnd, true, false);
        Stored b = Stored.random(transB ? n : k, transB ? k : n, padded, rnd, true, false);
        Stored c = Stored.random(m, n, padded, rnd, false, beta == 0f);
        float[] aBefore = a.data.clone();
        float[] bBefore = b.data.clone();
        float[] cBefore = c.data.clone();
        float[] expected = c.data.clone();
        NaiveReference.sgemm(transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld,
                beta, expected, c.off, c.ld);

        gemm.run(transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld,
                beta, c.data, c.off, c.ld);

        // Float rounding grows with k; the bound is ~100 times the typical error, far below a wrong term.
        double tol = 1e-5 * (Math.abs(alpha) * k * a.maxAbs() * b.maxAbs()
                + (beta == 0f ? 0 : Math.abs(beta) * c.maxAbs())) + 1e-30;
        float[] actual = c.data.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = c.off + i * c.ld + j;
                if (!(Math.abs((double) actual[idx] - expected[idx]) <= tol)) {
                    fail(this + (padded ? "" : " (tight layout)") + ": C[" + i + "][" + j + "] is "
                            + actual[idx] + ", expected " + expected[idx] + " ± " + tol);
                }
                actual[idx] = cBefore[idx]; // checked; what is left must equal cBefore everywhere
            }
        }
        ArrayAsserts.assertUnchanged(cBefore, actual, this + ": C outside the m×n window");
        ArrayAsserts.assertUnchanged(aBefore, a.data, this + ": A");
        ArrayAsserts.assertUnchanged(bBefore, b.data, this + ": B");
    }
}
