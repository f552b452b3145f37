package io.backlane.kernel;

/**
 * Kernels on the Java Vector API ({@code jdk.incubator.vector}), with the platform's preferred float
 * species. This class and {@link VectorGemm} are the only code in backlane that touches the incubator
 * module; {@link KernelProvider} loads them reflectively, only when the module is readable.
 * Loops have vector bodies and scalar tails: no masked loads in inner loops.
 */
public final class VectorKernels extends Kernels {
    private static final VectorGemm GEMM = new VectorGemm();

    VectorKernels() {
    }

    @Override
    public String name() {
        return "vector(" + VectorGemm.S.vectorBitSize() + " bit, micro-kernel " + VectorGemm.MR + "x" + VectorGemm.NR + ")";
    }

    @Override
    public boolean isVectorized() {
        return true;
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
