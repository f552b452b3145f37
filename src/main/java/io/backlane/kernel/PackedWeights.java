package io.backlane.kernel;

/**
 * A weight matrix W (n outputs × k inputs) packed once by {@link Kernels#packWeights} into the layout
 * that the kernels' GEMM reads, for products C = A·Wᵀ ({@link Kernels#multiplyPacked}) that then
 * pack only A. Immutable, safe to share between threads, and usable only with kernels of the kind that
 * packed it (the layout depends on their vector width).
 *
 * <pre>{@code
 * Kernels k = Kernels.get();
 * PackedWeights w = k.packWeights(n, inputs, weights, 0);         // once, when the model is made
 * k.multiplyPacked(m, batch, 0, w, out, 0, new GemmWorkspace());  // out (m × n) = batch · Wᵀ
 * }</pre>
 */
public final class PackedWeights {
    final BlockedGemm engine;   // whose layout: the tile width differs between the scalar and vector kernels
    final String packedBy;      // the kernels' name, for messages
    final int n;             // outputs: rows of W, columns of C
    final int k;             // inputs: columns of W and of A
    final float[] packed;    // W in the engine's layout for it (BlockedGemm.packWeights): op(B) = Wᵀ tiled or narrow, or W as it is
    final float[][] rows;    // or op(B) = Wᵀ as rows, each an array of its own (WeightsLayout.ROWS; else empty)

    PackedWeights(BlockedGemm engine, String packedBy, int n, int k, float[] packed, float[][] rows) {
        this.engine = engine;
        this.packedBy = packedBy;
        this.n = n;
        this.k = k;
        this.packed = packed;
        this.rows = rows;
    }

    /** The number of outputs, n: the rows of W. */
    public int outputs() {
        return n;
    }

    /** The number of inputs, k: the columns of W. */
    public int inputs() {
        return k;
    }

    /**
     * Whether W is laid out anew for the GEMM kernels: tiled for the micro-kernel (or as rows, for
     * the scalar kernels' loop nest), or, when it has few outputs and few inputs (30-16-1's layers),
     * transposed for the narrow kernel. False for a W of few outputs whose dot products run in whole
     * vectors (an output layer of 10 units with 128 inputs), kept as it is: it gains nothing from
     * being prepacked.
     */
    public boolean isTiled() {
        return engine.laysOutWeights(n, k);
    }
}
