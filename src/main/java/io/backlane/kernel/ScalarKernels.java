package io.backlane.kernel;

/**
 * Plain-Java kernels: always available, used when the Vector API is not (or when
 * {@code -Dbacklane.vector=false}). Blocked and reasonably fast; the readable double-precision
 * reference that proves them lives in the tests and in {@code io.backlane.reference}.
 */
public final class ScalarKernels extends Kernels {
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
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        GEMM.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    // TODO(element-wise): implemented in a follow-up commit.
    @Override
    void axpyUnchecked(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void scaleUnchecked(int n, float alpha, float[] x, int xOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    double sumOfSquaresUnchecked(int n, float[] x, int xOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void hadamardUnchecked(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void addBiasRowsUnchecked(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void columnSumsUnchecked(int rows, int cols, float alpha, float[] a, int aOff, float beta, float[] dst, int dstOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void activateUnchecked(Activation g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void softmaxRowsUnchecked(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        throw new UnsupportedOperationException();
    }

    @Override
    void activateBackwardUnchecked(Activation g, float param, int n, float[] dA, int dAOff, float[] a, int aOff, float[] dZ, int dZOff) {
        throw new UnsupportedOperationException();
    }
}
