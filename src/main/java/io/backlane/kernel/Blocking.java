package io.backlane.kernel;

/**
 * The tuning table of one GEMM micro-kernel, in the manner of BLIS's per-architecture block sizes:
 * the register tile (mr×nr), the cache blocks of {@link BlockedGemm}'s loop nest (kc, mc, nc), and
 * the thresholds that send a product around the packed path. Each micro-kernel has exactly one
 * ({@code VectorGemm.BLOCKING}, {@code ScalarGemm.BLOCKING}), and says there why each value is what
 * it is on the machine it was tuned for.
 *
 * <p>Sizes are in floats; a float is 4 bytes, so a kc×nr strip takes 4·kc·nr bytes. The path
 * decision also uses the tile itself: fewer than mr rows, or at most nr/2 columns, skip packing
 * (see {@link BlockedGemm#useUnpacked(boolean, boolean, int, int, int)}).
 *
 * @param mr                rows of the register tile (the height of a packed A strip)
 * @param nr                columns of the register tile (the width of a packed B strip)
 * @param kc                depth of one packed block: the k-extent of every A and B strip
 * @param mc                rows of op(A) packed at once (the A block, mc×kc)
 * @param nc                columns of op(B) packed at once (the B panel, kc×nc)
 * @param unpackedMaxK      rank-k updates with k up to this skip packing
 * @param unpackedMaxVolume products of at most this many multiply-adds (m·n·k) skip packing
 * @param dotMaxM           A·Bᵀ with at most this many rows runs as tiled dot products, unpacked;
 *                          0 where the micro-kernel has no tiled dot-product kernel
 * @param dotMinVectors     ... provided its rows are at least this many vectors long
 * @param narrowMaxN        products with at most this many columns run on the narrow kernel,
 *                          unpacked (see {@link BlockedGemm#useNarrow}); 0 where there is none
 */
record Blocking(int mr, int nr, int kc, int mc, int nc,
                int unpackedMaxK, long unpackedMaxVolume, int dotMaxM, int dotMinVectors, int narrowMaxN) {

    /** Rejects tables that would leave a partial tile at the end of every full block. */
    Blocking {
        if (mr <= 0 || nr <= 0 || kc <= 0 || mc <= 0 || nc <= 0 || mc % mr != 0 || nc % nr != 0) {
            throw new IllegalArgumentException("block sizes must be positive with mc a multiple of mr and nc of nr: "
                    + "mr " + mr + ", nr " + nr + ", kc " + kc + ", mc " + mc + ", nc " + nc);
        }
    }
}
