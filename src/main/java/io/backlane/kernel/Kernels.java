package io.backlane.kernel;

/**
 * The numerical kernels of backlane: a BLAS-shaped {@code sgemm} and the element-wise passes of
 * forward and backward propagation, all on {@code float[]} arrays with explicit offsets.
 *
 * <p>Every public method validates its arguments once (sizes, offsets, leading dimensions and the
 * last index it will touch) and throws an {@link IllegalArgumentException} naming the bad argument
 * before it writes anything; it then calls an unchecked implementation that trusts its inputs, in the
 * manner of netlib's {@code AbstractBLAS}. Implementations ({@link ScalarKernels}, and the Vector API
 * kernels) override only the unchecked methods.
 *
 * <p>Matrices are row-major: element (i, j) of a matrix at offset {@code off} with leading dimension
 * {@code ld} is {@code a[off + i * ld + j]}.
 *
 * <pre>{@code
 * Kernels k = Kernels.get();                 // chosen once: vector or scalar
 * float[] a = new float[2 * 3], b = new float[3 * 4], c = new float[2 * 4];
 * // C(2x4) = A(2x3) * B(3x4)
 * k.sgemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4);
 * }</pre>
 *
 * <p>Instances are stateless and thread-safe; {@code sgemm} packs into a {@link GemmWorkspace} that
 * belongs to one thread at a time.
 */
public abstract class Kernels {

    Kernels() {
    }

    /** The kernels chosen for this JVM; decided once, see {@link KernelProvider}. */
    public static Kernels get() {
        return KernelProvider.kernels();
    }

    /** A short name for logs and benchmarks, for example {@code "vector(512 bit)"} or {@code "scalar"}. */
    public abstract String name();

    /** Whether this implementation uses the Vector API. */
    public abstract boolean isVectorized();

    /** The widest vectors the CPU offers these kernels, in bits (at most 512); 0 for scalar kernels. */
    int widestVectorBitSize() {
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // GEMM

    /**
     * C = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ; op(A) is m×k, op(B) is k×n, C is
     * m×n. When beta is 0, C is not read (NaN in C does not propagate), as in BLAS. As in BLAS too,
     * C must not share elements with A or B: the result is then undefined, and differs between kernels.
     *
     * <p>Packs panels into a workspace cached per thread; use the overload with a
     * {@link GemmWorkspace} to control its lifetime.
     */
    public final void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                GemmWorkspace.forCurrentThread());
    }

    /** As {@link #sgemm(boolean, boolean, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)}, packing into {@code ws}. */
    public final void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc, GemmWorkspace ws) {
        Check.nonNegative("m", m);
        Check.nonNegative("n", n);
        Check.nonNegative("k", k);
        Check.finite("alpha", alpha);
        Check.finite("beta", beta);
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
        }
        // op(A) is m x k: stored A is m x k (lda >= k), or k x m when transposed (lda >= m).
        Check.matrix("a", a, aOff, "lda", lda, transA ? k : m, transA ? m : k);
        Check.matrix("b", b, bOff, "ldb", ldb, transB ? n : k, transB ? k : n);
        Check.matrix("c", c, cOff, "ldc", ldc, m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scaleMatrix(m, n, beta, c, cOff, ldc);
            return;
        }
        gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws);
    }

    /** C = beta · C for an m×n matrix; beta 0 writes zeros without reading C. */
    static void scaleMatrix(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    /** Unchecked GEMM: arguments are valid, m, n, k ≥ 1 and alpha ≠ 0. */
    abstract void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc, GemmWorkspace ws);

    // ---------------------------------------------------------------------------------------------
    // Prepacked weights: the forward product of an immutable model

    private static final float[][] NO_ROWS = new float[0][]; // the rows of weights packed in another layout than rows

    /**
     * Packs a weight matrix W (n × k, row-major from {@code wOff}: one row of k inputs per output)
     * once, into the layout that {@link #multiplyPacked} reads, so that a product with it packs only
     * its activations: what a served model does with its layers (ONNX Runtime prepacks its weights
     * when a session is created, for the same reason). The result serves kernels of this kind (the
     * layout depends on the vector width); it holds about n·k floats (n rounded up to the
     * micro-kernel's tile width, except for narrow matrices, kept as they are; the scalar kernels
     * keep each row of Wᵀ as an array of its own, about 20 bytes more per input).
     */
    public final PackedWeights packWeights(int n, int k, float[] w, int wOff) {
        Check.positive("n", n);
        Check.positive("k", k);
        Check.matrix("w", w, wOff, "k", k, n, k);
        BlockedGemm engine = engine();
        int length;
        try {
            length = engine.packedWeightsLength(n, k);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a " + n + " x " + k + " weight matrix is too large to pack");
        }
        float[] packed = new float[length];
        float[][] rows = engine.weightsLayout(n, k) == BlockedGemm.WeightsLayout.ROWS ? engine.newWeightRows(n, k) : NO_ROWS;
        engine.packWeights(n, k, w, wOff, packed, rows);
        return new PackedWeights(engine, name(), n, k, packed, rows);
    }

    /**
     * Whether {@link #packWeights}(n, k, ...) would lay W out anew ({@link PackedWeights#isTiled}),
     * without packing it: where it would not, a product with it reads W as it is, and packing it
     * gains nothing.
     */
    public final boolean tilesWeights(int n, int k) {
        Check.positive("n", n);
        Check.positive("k", k);
        return engine().laysOutWeights(n, k);
    }

    /**
     * Packs a new W of {@code into}'s shape (n × k from {@code wOff}) into {@code into}'s storage,
     * allocating nothing: for a trainer, whose weights change every step, and which packs them once
     * per step for all the threads that then multiply with them. The caller owns {@code into}: no
     * thread may read it while it is repacked.
     */
    public final void repackWeights(PackedWeights into, float[] w, int wOff) {
        if (into == null || into.engine != engine()) {
            throw new IllegalArgumentException("into must be packed by kernels of this kind (" + name() + "), got "
                    + (into == null ? "null" : "weights packed by " + into.packedBy));
        }
        Check.matrix("w", w, wOff, "k", into.k, into.n, into.k);
        engine().packWeights(into.n, into.k, w, wOff, into.packed, into.rows);
    }

    /**
     * C = A·Wᵀ: A is m × k (rows contiguous from {@code aOff}), C is m × n (rows contiguous from
     * {@code cOff}, written without being read), W packed by {@link #packWeights} of these kernels.
     * Each row of C is computed by the same operations whatever m is and wherever the row sits in
     * A: an example gets the same bits alone as in any batch.
     */
    public final void multiplyPacked(int m, float[] a, int aOff, PackedWeights w, float[] c, int cOff, GemmWorkspace ws) {
        checkPacked(m, a, aOff, w, c, cOff, ws);
        if (m > 0) {
            engine().multiplyPacked(m, w.n, w.k, a, aOff, w.k, w.packed, w.rows, null, 0, false, c, cOff, w.n, ws);
        }
    }

    /**
     * C = A·Wᵀ + b in every row, then, with {@code relu}, max(C, 0): {@link #multiplyPacked} and then
     * {@link #addBiasRows} and {@link #activate} with {@link Pointwise#RELU}, with the same bits, but
     * done to each tile of C as the GEMM writes it instead of in two more passes over C. {@code bias}
     * holds the n outputs' biases from {@code biasOff}; neither it nor A may overlap C's window.
     */
    public final void multiplyPackedAddBias(int m, float[] a, int aOff, PackedWeights w, float[] bias, int biasOff,
                                            boolean relu, float[] c, int cOff, GemmWorkspace ws) {
        checkPacked(m, a, aOff, w, c, cOff, ws);
        Check.vector("bias", bias, biasOff, w.n);
        if (m > 0) {
            engine().multiplyPacked(m, w.n, w.k, a, aOff, w.k, w.packed, w.rows, bias, biasOff, relu, c, cOff, w.n, ws);
        }
    }

    private void checkPacked(int m, float[] a, int aOff, PackedWeights w, float[] c, int cOff, GemmWorkspace ws) {
        if (w == null || w.engine != engine()) {
            throw new IllegalArgumentException("w must be packed by kernels of this kind (" + name() + "), got "
                    + (w == null ? "null" : "weights packed by " + w.packedBy));
        }
        if (ws == null) {
            throw new IllegalArgumentException("ws must not be null");
        }
        Check.nonNegative("m", m);
        Check.matrix("a", a, aOff, "k", w.k, m, w.k);
        Check.matrix("c", c, cOff, "n", w.n, m, w.n);
        if (a == c && m > 0 && aOff < cOff + (long) m * w.n && cOff < aOff + (long) m * w.k) {
            // C is written tile by tile while A is still being read: garbage, differing between kernels
            throw new IllegalArgumentException("a (from " + aOff + ") and c (from " + cOff + ") overlap in one array");
        }
    }

    /** The blocked GEMM behind {@link #packWeights} and {@link #multiplyPacked}. */
    abstract BlockedGemm engine();

    // ---------------------------------------------------------------------------------------------
    // BLAS-1 style

    /** y[i] += alpha · x[i] for i in [0, n). */
    public final void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        Check.nonNegative("n", n);
        Check.finite("alpha", alpha);
        Check.vector("x", x, xOff, n);
        Check.vector("y", y, yOff, n);
        axpyUnchecked(n, alpha, x, xOff, y, yOff);
    }

    abstract void axpyUnchecked(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** x[i] *= alpha for i in [0, n). */
    public final void scale(int n, float alpha, float[] x, int xOff) {
        Check.nonNegative("n", n);
        Check.finite("alpha", alpha);
        Check.vector("x", x, xOff, n);
        scaleUnchecked(n, alpha, x, xOff);
    }

    abstract void scaleUnchecked(int n, float alpha, float[] x, int xOff);

    /** Σ x[i]², accumulated in double (for the L2 term of the cost and gradient norms). */
    public final double sumOfSquares(int n, float[] x, int xOff) {
        Check.nonNegative("n", n);
        Check.vector("x", x, xOff, n);
        return sumOfSquaresUnchecked(n, x, xOff);
    }

    abstract double sumOfSquaresUnchecked(int n, float[] x, int xOff);

    /**
     * Σ over n outputs of the binary cross-entropy from the logit, max(z, 0) − z·y + log(1 + e^−|z|)
     * (docs/backpropagation.md), with the targets y; summed in double. The vector kernels compute
     * each term in float, within a few ulps of the exact term (their e^−|z| and log(1 + e) are
     * polynomials, where Math.exp and Math.log took a fifth of a small network's step); the scalar
     * kernels in double. A NaN or infinite logit gives a sum that is not finite.
     */
    public final double binaryCrossEntropy(int n, float[] z, int zOff, float[] y, int yOff) {
        Check.nonNegative("n", n);
        Check.vector("z", z, zOff, n);
        Check.vector("y", y, yOff, n);
        return binaryCrossEntropyUnchecked(n, z, zOff, y, yOff);
    }

    abstract double binaryCrossEntropyUnchecked(int n, float[] z, int zOff, float[] y, int yOff);

    /** One term of {@link #binaryCrossEntropy} in double: the scalar kernels' and the vector kernels' tail. */
    static double binaryCrossEntropyTerm(float z, float y) {
        double zd = z;
        // Math.log(1 + e), not Math.log1p(e): log and exp are intrinsics, log1p is not. In double,
        // 1 + e keeps e to 1e-16, far below a float loss.
        return Math.max(zd, 0) - zd * y + Math.log(1.0 + Math.exp(-Math.abs(zd)));
    }

    /** Whether every x[i] is finite (no NaN, no infinity): one cheap pass, for guards. */
    public final boolean allFinite(int n, float[] x, int xOff) {
        Check.nonNegative("n", n);
        Check.vector("x", x, xOff, n);
        return allFiniteUnchecked(n, x, xOff);
    }

    abstract boolean allFiniteUnchecked(int n, float[] x, int xOff);

    /** dst[i] = x[i] · y[i] (Hadamard product); dst may be x or y (in place). */
    public final void hadamard(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff) {
        Check.nonNegative("n", n);
        Check.vector("x", x, xOff, n);
        Check.vector("y", y, yOff, n);
        Check.vector("dst", dst, dstOff, n);
        hadamardUnchecked(n, x, xOff, y, yOff, dst, dstOff);
    }

    abstract void hadamardUnchecked(int n, float[] x, int xOff, float[] y, int yOff, float[] dst, int dstOff);

    // ---------------------------------------------------------------------------------------------
    // Row-major matrix passes (rows × cols, contiguous rows)

    /** c[i][j] += bias[j] for every row i of a rows×cols matrix. */
    public final void addBiasRows(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff) {
        Check.nonNegative("rows", rows);
        Check.nonNegative("cols", cols);
        Check.vector("bias", bias, biasOff, cols);
        Check.vector("c", c, cOff, (long) rows * cols);
        addBiasRowsUnchecked(rows, cols, bias, biasOff, c, cOff);
    }

    abstract void addBiasRowsUnchecked(int rows, int cols, float[] bias, int biasOff, float[] c, int cOff);

    /** dst[j] = alpha · Σ_i a[i][j] + beta · dst[j] over a rows×cols matrix (beta 0: dst not read). */
    public final void columnSums(int rows, int cols, float alpha, float[] a, int aOff, float beta, float[] dst, int dstOff) {
        Check.nonNegative("rows", rows);
        Check.nonNegative("cols", cols);
        Check.finite("alpha", alpha);
        Check.finite("beta", beta);
        Check.vector("a", a, aOff, (long) rows * cols);
        Check.vector("dst", dst, dstOff, cols);
        columnSumsUnchecked(rows, cols, alpha, a, aOff, cols, beta, dst, dstOff);
    }

    /**
     * As {@link #columnSums(int, int, float, float[], int, float, float[], int)}, over rows
     * {@code lda} apart: some columns of a wider matrix (the bias gradient of some of a layer's units).
     */
    public final void columnSums(int rows, int cols, float alpha, float[] a, int aOff, int lda,
                                 float beta, float[] dst, int dstOff) {
        Check.nonNegative("rows", rows);
        Check.nonNegative("cols", cols);
        Check.finite("alpha", alpha);
        Check.finite("beta", beta);
        Check.matrix("a", a, aOff, "lda", lda, rows, cols);
        Check.vector("dst", dst, dstOff, cols);
        columnSumsUnchecked(rows, cols, alpha, a, aOff, lda, beta, dst, dstOff);
    }

    abstract void columnSumsUnchecked(int rows, int cols, float alpha, float[] a, int aOff, int lda,
                                      float beta, float[] dst, int dstOff);

    // ---------------------------------------------------------------------------------------------
    // Activations, forward: dst = g(src); dst may be src.

    /** Applies an activation element-wise: dst[i] = g(src[i]) ({@code param}: the slope of leaky ReLU). */
    public final void activate(Pointwise g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff) {
        checkElementwise(g, param, n, "src", src, srcOff, "dst", dst, dstOff);
        activateUnchecked(g, param, n, src, srcOff, dst, dstOff);
    }

    abstract void activateUnchecked(Pointwise g, float param, int n, float[] src, int srcOff, float[] dst, int dstOff);

    /** Row-wise softmax of a rows×cols matrix, with each row's maximum subtracted first; dst may be src. */
    public final void softmaxRows(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff) {
        Check.nonNegative("rows", rows);
        Check.positive("cols", cols);
        long n = (long) rows * cols;
        Check.vector("src", src, srcOff, n);
        Check.vector("dst", dst, dstOff, n);
        softmaxRowsUnchecked(rows, cols, src, srcOff, dst, dstOff);
    }

    abstract void softmaxRowsUnchecked(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff);

    /**
     * The fused backward pass through an activation: dZ = dA ⊙ g'(·), in one pass. The derivative is
     * taken from the stored activation A for sigmoid (a(1−a)), tanh (1−a²), ReLU and leaky ReLU
     * (a &gt; 0 exactly where z &gt; 0, so Z need not be kept); identity copies dA. dZ may be dA.
     */
    public final void activateBackward(Pointwise g, float param, int n, float[] dA, int dAOff,
                                       float[] a, int aOff, float[] dZ, int dZOff) {
        checkElementwise(g, param, n, "dA", dA, dAOff, "dZ", dZ, dZOff);
        Check.vector("a", a, aOff, n);
        activateBackwardUnchecked(g, param, n, dA, dAOff, a, aOff, dZ, dZOff);
    }

    abstract void activateBackwardUnchecked(Pointwise g, float param, int n, float[] dA, int dAOff,
                                            float[] a, int aOff, float[] dZ, int dZOff);

    private static void checkElementwise(Pointwise g, float param, int n, String xName, float[] x, int xOff,
                                         String yName, float[] y, int yOff) {
        if (g == null) {
            throw new IllegalArgumentException("g must not be null");
        }
        if (g == Pointwise.LEAKY_RELU) {
            Check.finite("param (leaky ReLU slope)", param);
        }
        Check.nonNegative("n", n);
        Check.vector(xName, x, xOff, n);
        Check.vector(yName, y, yOff, n);
    }
}
