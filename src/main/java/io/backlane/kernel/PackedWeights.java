package io.backlane.kernel;

/**
 * A weight matrix W (n outputs × k inputs) packed once by {@link Kernels#packWeights} into the layout
 * that the GEMM micro-kernel reads, for products C = A·Wᵀ ({@link Kernels#multiplyPacked}) that then
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
    final float[] packed;    // op(B) = Wᵀ in the engine's panels of NR-wide strips (BlockedGemm.packWeights)

    PackedWeights(BlockedGemm engine, String packedBy, int n, int k, float[] packed) {
        this.engine = engine;
        this.packedBy = packedBy;
        this.n = n;
        this.k = k;
        this.packed = packed;
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
     * Whether W is laid out for the GEMM micro-kernel; false for a narrow W (at most half a tile
     * wide), kept as it is and multiplied by dot products, which gain nothing from being prepacked.
     */
    public boolean isTiled() {
        return !engine.keepsWeightsUnpacked(n);
    }
}
